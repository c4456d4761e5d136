import { type Json, localConfig, synthPayerAdmin } from "../../../support/synth";

/**
 * With cur.encryption sse-kms the admin's CUR objects are encrypted with adminBucketKeyArn, and
 * every role that reads them (cur-ingest directly and through Athena, the Athena and CUR-summary
 * tools through Athena, which reads S3 with the caller's credentials) needs kms:Decrypt on that key,
 * only through S3 and only for that bucket. No other role gets it; with sse-s3 nobody does.
 */
const ADMIN = "222222222222";
const ADMIN_KEY = `arn:aws:kms:us-east-1:${ADMIN}:key/22222222-aaaa-4bbb-8ccc-000000000002`;
const BUCKET = `arn:aws:s3:::finops-cur-replica-${ADMIN}`;

function decryptGrants(admin: Json): Record<string, Json[]> {
  const out: Record<string, Json[]> = {};
  for (const [name, p] of Object.entries(admin.aws_iam_role_policy ?? {}) as [string, Json][]) {
    const statements = JSON.parse(p.policy).Statement as Json[];
    const found = statements.filter((s) => s.Sid === "DecryptCurObjects");
    if (found.length) out[name] = found;
  }
  return out;
}

describe("kms:Decrypt for the readers of an SSE-KMS CUR bucket", () => {
  it("is granted to cur-ingest and the two Athena tools, on the admin bucket key, through S3 for that bucket", () => {
    const { admin } = synthPayerAdmin(
      localConfig((d) => {
        d.cur = { ...d.cur, encryption: { mode: "sse-kms", adminBucketKeyArn: ADMIN_KEY } };
      }),
    );
    const grants = decryptGrants(admin);
    expect(
      Object.keys(grants)
        .map((n) => n.replace(/_policy_\w+$/, ""))
        .sort(),
    ).toEqual(["app_tool-athena", "app_tool-cur-summary", "data-platform_cur-ingest"]);
    for (const statements of Object.values(grants))
      expect(statements).toEqual([
        {
          Sid: "DecryptCurObjects",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: ADMIN_KEY,
          Condition: {
            StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": [BUCKET, `${BUCKET}/*`] },
          },
        },
      ]);
  });

  it("is granted to nobody with sse-s3", () => {
    expect(decryptGrants(synthPayerAdmin(localConfig()).admin)).toEqual({});
  });
});
