/**
 * npm run cur:backfill -- [--out <dir>]
 * Writes the S3 Batch Replication backfill for the payer's existing CUR exports (FINOPS_CONFIG,
 * default accounts/local.yaml): the Batch Operations role's trust and permission policies and the
 * create-job input, then prints the AWS CLI commands that create the role, start the job, watch it
 * and delete the role. It calls no AWS API itself; run the printed commands as the payer account
 * (docs/payer.md, "Existing exports").
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { configFileFromEnv, failureMessage, loadAccountConfig } from "../config/load";
import { curBackfillPlan } from "../deploy/cur-backfill";

function main(argv: readonly string[]): number {
  const outAt = argv.indexOf("--out");
  const out = path.resolve(outAt >= 0 && argv[outAt + 1] ? argv[outAt + 1]! : "cur-backfill");
  const file = configFileFromEnv();
  let plan: ReturnType<typeof curBackfillPlan>;
  try {
    plan = curBackfillPlan(loadAccountConfig(file));
  } catch (e) {
    console.error(failureMessage(e, "cur:backfill"));
    return 1;
  }
  mkdirSync(out, { recursive: true });
  const write = (name: string, value: unknown) =>
    writeFileSync(path.join(out, name), `${JSON.stringify(value, null, 2)}\n`);
  write("trust-policy.json", plan.trustPolicy);
  write("permissions-policy.json", plan.permissionsPolicy);
  write("create-job.json", { ...plan.createJob, ClientRequestToken: randomUUID() });
  const rel = path.relative(process.cwd(), out) || ".";
  console.log(
    `S3 Batch Replication backfill of s3://${plan.bucket} (${plan.prefixes.join(", ")}), from ${file}`,
  );
  console.log(`wrote ${rel}/trust-policy.json, permissions-policy.json, create-job.json\n`);
  console.log(
    "Run as the payer account (the job replicates through the bucket's replication rules and role):",
  );
  console.log(
    [
      `aws iam create-role --role-name ${plan.roleName} --assume-role-policy-document file://${rel}/trust-policy.json`,
      `aws iam put-role-policy --role-name ${plan.roleName} --policy-name backfill --policy-document file://${rel}/permissions-policy.json`,
      `aws s3control create-job --region ${plan.region} --cli-input-json file://${rel}/create-job.json`,
      `aws s3control describe-job --region ${plan.region} --account-id ${plan.payerAccountId} --job-id <JobId from create-job>`,
      "# when the job is Complete (and its failed-tasks report is empty):",
      `aws iam delete-role-policy --role-name ${plan.roleName} --policy-name backfill && aws iam delete-role --role-name ${plan.roleName}`,
    ].join("\n"),
  );
  return 0;
}

process.exit(main(process.argv.slice(2)));
