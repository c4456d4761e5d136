import { TerraformOutput } from "cdktf";
import type { AccountStack } from "./account-stack";
import { AdminStack } from "./admin-stack";
import { PayerStack } from "./payer-stack";

/**
 * What a platform team needs after a deploy, as Terraform outputs of the stack that creates it:
 * `cdktf output <stack>` (or `terraform output` in the stack's directory) prints them. Values are
 * the deployed resources' own attributes where they have one, so the output is what AWS returned.
 * The finance console (target aws) is at finance_console_url, signing in through the hosted UI
 * below; console_url is the AWS console's central monitoring dashboard.
 */
export function addStackOutputs(stack: AccountStack): void {
  if (stack instanceof AdminStack) adminOutputs(stack);
  else if (stack instanceof PayerStack) payerOutputs(stack);
}

function output(stack: AccountStack, id: string, value: string, description: string): void {
  new TerraformOutput(stack, id, { value, description });
}

function adminOutputs(stack: AdminStack): void {
  const { names } = stack;
  const region = stack.primaryRegion;
  const home = stack.config.organization.homeRegion;
  const { users, api } = stack.app;
  output(stack, "api_url", api.stage.invokeUrl, "FinOps API base URL (Cognito ID token on every route)");
  output(stack, "user_pool_id", users.pool.id, "Cognito user pool of the FinOps users");
  output(
    stack,
    "user_pool_client_id",
    users.webClient.id,
    "Cognito app client of the web client (no secret)",
  );
  output(
    stack,
    "hosted_ui_url",
    `https://${names.userPoolDomain}.auth.${region}.amazoncognito.com`,
    "Cognito hosted UI (sign-in) base URL",
  );
  if (stack.console) {
    output(
      stack,
      "finance_console_url",
      `${stack.console.origin}/`,
      "the FinOps finance console (CloudFront)",
    );
    output(
      stack,
      "finance_console_distribution_id",
      stack.console.distribution.id,
      "CloudFront distribution of the finance console (for invalidations after an upload)",
    );
  }
  output(stack, "central_bus_arn", stack.monitoring.central.bus.arn, "central monitoring event bus");
  output(
    stack,
    "console_url",
    `https://${home}.console.aws.amazon.com/cloudwatch/home?region=${home}#dashboards/dashboard/${names.centralDashboard}`,
    "AWS console: the central monitoring dashboard",
  );
}

function payerOutputs(stack: PayerStack): void {
  const { exports } = stack;
  output(stack, "cur_export_arn", exports.cur.export.get(0).exportArn, "CUR 2.0 Data Export");
  if (exports.focus)
    output(stack, "focus_export_arn", exports.focus.export.get(0).exportArn, "FOCUS 1.2 Data Export");
  if (exports.coh)
    output(stack, "coh_export_arn", exports.coh.export.get(0).exportArn, "Cost Optimization Hub Data Export");
  if (stack.curBucket)
    output(stack, "cur_bucket_name", stack.curBucket.bucketName, "payer bucket the exports write to");
  output(stack, "read_role_arn", stack.readRole.role.arn, "cross-account read role (with the external id)");
}
