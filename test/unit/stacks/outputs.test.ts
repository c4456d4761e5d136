import { loadAccountConfig } from "../../../config/load";
import { synthConfig } from "../../support/synth";

/** Stack outputs a platform team reads after a deploy (`cdktf output <stack>`, stacks/outputs.ts). */
describe("stack outputs", () => {
  const { stacks } = synthConfig(loadAccountConfig("accounts/local.yaml"));

  it("gives the admin's API URL, user pool, web client, hosted UI, central bus and console URL", () => {
    expect(Object.keys(stacks.admin!.output).sort()).toEqual([
      "api_url",
      "central_bus_arn",
      "console_url",
      "hosted_ui_url",
      "user_pool_client_id",
      "user_pool_id",
    ]);
    expect(stacks.admin!.output.api_url.value).toMatch(/^\$\{aws_apigatewayv2_stage\..*\.invoke_url\}$/);
    expect(stacks.admin!.output.central_bus_arn.value).toMatch(/^\$\{aws_cloudwatch_event_bus\..*\.arn\}$/);
  });

  it("gives the payer's export ARNs and the read role's ARN", () => {
    const out = stacks.payer!.output;
    expect(out.cur_export_arn.value).toMatch(
      /^\$\{aws_bcmdataexports_export\..*\.export\[0\]\.export_arn\}$/,
    );
    expect(out.read_role_arn.value).toMatch(/^\$\{aws_iam_role\..*\.arn\}$/);
  });

  it("adds no output to a member stack", () => {
    for (const [name, json] of Object.entries(stacks).filter(([n]) => n.startsWith("member-")))
      expect([name, json.output]).toEqual([name, undefined]);
  });
});
