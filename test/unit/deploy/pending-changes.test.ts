import { pendingChanges } from "../../../deploy/apply";

describe("pendingChanges (what a non-clean second plan would do)", () => {
  it("lists each resource line of Terraform's plan output, colours stripped", () => {
    const stdout = [
      "Terraform will perform the following actions:",
      "",
      "  \x1b[1m# aws_lambda_function.api\x1b[0m will be updated in-place",
      '  ~ resource "aws_lambda_function" "api" {',
      "  # module.x.aws_s3_bucket.b[0] must be replaced",
      "  # aws_sqs_queue.dlq will be created",
      "Plan: 1 to add, 1 to change, 1 to destroy.",
    ].join("\n");
    expect(pendingChanges(stdout)).toEqual([
      "aws_lambda_function.api will be updated in-place",
      "module.x.aws_s3_bucket.b[0] must be replaced",
      "aws_sqs_queue.dlq will be created",
    ]);
  });

  it("is empty for a plan without resource changes", () => {
    expect(pendingChanges("No changes. Your infrastructure matches the configuration.")).toEqual([]);
  });
});
