import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { curBackfillPlan } from "../../../deploy/cur-backfill";
import { localConfig } from "../../support/synth";

const PAYER = "111111111111";
const BUCKET = `arn:aws:s3:::finops-cur-${PAYER}`;

describe("the CUR backfill plan (S3 Batch Replication of existing exports)", () => {
  const plan = curBackfillPlan(
    localConfig((d) => {
      d.cur = { ...d.cur, focus: { enabled: true } };
    }),
  );

  it("covers exactly the export folders the replication rules cover", () => {
    expect(plan.bucket).toBe(`finops-cur-${PAYER}`);
    expect(plan.prefixes).toEqual(["cur/finops-cur2/", "cur/finops-cur2-focus/"]);
  });

  it("lets only S3 Batch Operations jobs of the payer assume the backfill role", () => {
    expect(plan.roleArn).toBe(`arn:aws:iam::${PAYER}:role/finops-cur-backfill`);
    expect(plan.trustPolicy.Statement).toEqual([
      {
        Sid: "S3BatchOperationsJobsOfThePayer",
        Effect: "Allow",
        Principal: { Service: "batchoperations.s3.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": PAYER },
          ArnLike: { "aws:SourceArn": `arn:aws:s3:us-east-1:${PAYER}:job/*` },
        },
      },
    ]);
  });

  it("grants the role replication of the export folders, the manifest reads and the report write only", () => {
    expect(plan.permissionsPolicy.Statement).toEqual([
      {
        Sid: "InitiateReplicationOfExports",
        Effect: "Allow",
        Action: "s3:InitiateReplication",
        Resource: [`${BUCKET}/cur/finops-cur2/*`, `${BUCKET}/cur/finops-cur2-focus/*`],
      },
      {
        Sid: "GenerateTheManifest",
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"],
        Resource: BUCKET,
      },
      {
        Sid: "WriteTheReport",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: `${BUCKET}/batch-replication-reports/*`,
      },
    ]);
  });

  it("replicates objects never replicated or failed under those folders, reporting failures outside them", () => {
    expect(plan.createJob).toMatchObject({
      AccountId: PAYER,
      Operation: { S3ReplicateObject: {} },
      ManifestGenerator: {
        S3JobManifestGenerator: {
          SourceBucket: BUCKET,
          EnableManifestOutput: false,
          Filter: {
            EligibleForReplication: true,
            ObjectReplicationStatuses: ["NONE", "FAILED"],
            KeyNameConstraint: { MatchAnyPrefix: ["cur/finops-cur2/", "cur/finops-cur2-focus/"] },
          },
        },
      },
      Report: { Bucket: BUCKET, Prefix: "batch-replication-reports", ReportScope: "FailedTasksOnly" },
      RoleArn: plan.roleArn,
      ConfirmationRequired: false,
    });
  });

  it("refuses direct delivery, which has no payer bucket, and says what to do instead", () => {
    expect(() =>
      curBackfillPlan(
        localConfig((d) => {
          d.cur.delivery = "direct";
        }),
      ),
    ).toThrow(/cur\.delivery is direct: there is no payer bucket to replicate from\. .*aws s3 sync/);
  });
});

describe("npm run cur:backfill", () => {
  it("writes the policies and the job input for accounts/local.yaml and prints the commands", () => {
    const out = mkdtempSync(join(tmpdir(), "cur-backfill-"));
    try {
      const stdout = execFileSync("node_modules/.bin/tsx", ["scripts/cur-backfill.ts", "--out", out], {
        encoding: "utf8",
        env: { ...process.env, FINOPS_CONFIG: "accounts/local.yaml" },
      });
      expect(stdout).toMatch(
        /aws s3control create-job --region us-east-1 --cli-input-json file:\/\/.*create-job\.json/,
      );
      expect(stdout).toMatch(/aws iam create-role --role-name finops-cur-backfill /);
      const job = JSON.parse(readFileSync(join(out, "create-job.json"), "utf8"));
      expect(job.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
      expect(job.ManifestGenerator.S3JobManifestGenerator.Filter.KeyNameConstraint.MatchAnyPrefix).toEqual([
        "cur/finops-cur2/",
      ]);
      expect(JSON.parse(readFileSync(join(out, "trust-policy.json"), "utf8")).Statement[0].Principal).toEqual(
        {
          Service: "batchoperations.s3.amazonaws.com",
        },
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 30_000);
});
