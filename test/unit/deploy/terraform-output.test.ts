import { pendingChanges, pendingHint } from "../../../deploy/apply";
import { withInitHint } from "../../../deploy/terraform";

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

describe("withInitHint (terraform init without a reachable registry)", () => {
  const failed = {
    code: 1,
    stdout: "",
    stderr:
      "Error: Failed to query available provider packages\nCould not retrieve the list of available versions for provider hashicorp/aws: could not connect to registry.terraform.io",
  };

  it("tells an offline user to set TF_PROVIDER_MIRROR", () => {
    expect(withInitHint(failed, {}).stderr).toMatch(/Offline\? Set TF_PROVIDER_MIRROR to a provider mirror/);
  });

  it("leaves other failures, successes and runs with a mirror as they are", () => {
    expect(withInitHint(failed, { TF_PROVIDER_MIRROR: "/mirror" })).toBe(failed);
    const other = { code: 1, stdout: "", stderr: "Error: Unsupported argument" };
    expect(withInitHint(other, {})).toBe(other);
    const ok = { code: 0, stdout: "Terraform has been successfully initialized!", stderr: "" };
    expect(withInitHint(ok, {})).toBe(ok);
  });
});

describe("pendingHint (a second plan that would change only functions)", () => {
  it("points at the provider's two-step when only functions would be updated in place", () => {
    expect(
      pendingHint([
        "aws_lambda_function.app_api-function_FFCFF17D will be updated in-place",
        "module.m.aws_lambda_function.f will be updated in-place",
      ]),
    ).toMatch(/terraform-provider-aws#8509\); apply once more/);
  });

  it("says nothing for other pending changes or none", () => {
    expect(
      pendingHint([
        "aws_lambda_function.f will be updated in-place",
        "aws_s3_bucket.b will be updated in-place",
      ]),
    ).toBeUndefined();
    expect(pendingHint(["aws_lambda_function.f must be replaced"])).toBeUndefined();
    expect(pendingHint([])).toBeUndefined();
    expect(pendingHint(undefined)).toBeUndefined();
  });
});
