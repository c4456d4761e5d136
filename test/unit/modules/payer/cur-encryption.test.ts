import { tlsOnlyStatements } from "../../../../modules/secure-bucket";
import {
  type Json,
  localConfig,
  resource,
  statements,
  synthPayer,
  synthPayerAdmin,
} from "../../../support/synth";

/**
 * cur.encryption: SSE-S3 (default) or SSE-KMS for the CUR buckets, every statement of the key
 * policy, the replication role and the bucket policies asserted for each variant.
 */
const PAYER = "111111111111";
const ADMIN = "222222222222";
const CUR_BUCKET = `arn:aws:s3:::finops-cur-${PAYER}`;
const REPLICA_BUCKET = `arn:aws:s3:::finops-cur-replica-${ADMIN}`;
const ADMIN_KEY = `arn:aws:kms:us-east-1:${ADMIN}:key/22222222-aaaa-4bbb-8ccc-000000000002`;
const PAYER_KEY = `arn:aws:kms:us-east-1:${PAYER}:key/11111111-aaaa-4bbb-8ccc-000000000001`;
/** KMS keys of the payer stack other than the account-events forwarding's DLQ key (org-events-forwarding). */
const curKeys = (r: Record<string, Record<string, Record<string, unknown>>>) =>
  Object.values(r.aws_kms_key ?? {}).filter(
    (k) =>
      !String((k["//"] as { metadata?: { path?: string } } | undefined)?.metadata?.path).includes(
        "org-events-forwarding",
      ),
  );
const CREATED_KEY_ARN = /^\$\{aws_kms_key\.cur-bucket-key_\w+\.arn\}$/;
const EXPORT_SOURCES = [
  `arn:aws:bcm-data-exports:us-east-1:${PAYER}:export/*`,
  `arn:aws:cur:us-east-1:${PAYER}:definition/*`,
];
const DATA_EXPORTS_WRITE = (bucketArn: string) => ({
  Sid: "AllowDataExportsDelivery",
  Effect: "Allow",
  Principal: { Service: ["bcm-data-exports.amazonaws.com", "billingreports.amazonaws.com"] },
  Action: ["s3:PutObject", "s3:GetBucketPolicy"],
  Resource: [bucketArn, `${bucketArn}/*`],
  Condition: { StringEquals: { "aws:SourceAccount": PAYER }, ArnLike: { "aws:SourceArn": EXPORT_SOURCES } },
});
const S3_STATEMENTS = [
  {
    Sid: "SourceBucket",
    Effect: "Allow",
    Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
    Resource: CUR_BUCKET,
  },
  {
    Sid: "SourceObjects",
    Effect: "Allow",
    Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
    Resource: `${CUR_BUCKET}/cur/*`,
  },
  {
    Sid: "DestinationObjects",
    Effect: "Allow",
    Action: [
      "s3:ReplicateObject",
      "s3:ReplicateDelete",
      "s3:ReplicateTags",
      "s3:ObjectOwnerOverrideToBucketOwner",
    ],
    Resource: `${REPLICA_BUCKET}/cur/*`,
  },
];
const encryptionRule = (resources: Json, path: string) =>
  resource(resources, "aws_s3_bucket_server_side_encryption_configuration", path).rule;

function kmsConfig(encryption: Record<string, unknown>, delivery = "replication") {
  return localConfig((d) => {
    d.cur = { ...d.cur, delivery, encryption: { mode: "sse-kms", ...encryption } };
  });
}

describe("CUR encryption sse-s3 (the default)", () => {
  const payer = synthPayer(localConfig());

  it("encrypts the payer bucket with S3-managed keys and creates no KMS key or KMS permission", () => {
    expect(encryptionRule(payer, "cur-bucket/encryption")).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(curKeys(payer)).toEqual([]);
    const policy = resource(payer, "aws_iam_role_policy", "cur-replication/policy").policy;
    expect(policy).not.toMatch(/kms:/);
    const rule = resource(payer, "aws_s3_bucket_replication_configuration", "cur-replication/configuration")
      .rule[0];
    expect(rule.source_selection_criteria).toBeUndefined();
    expect(rule.destination.encryption_configuration).toBeUndefined();
  });
});

describe("CUR encryption sse-kms, replication, payer key created by the landing", () => {
  const s = synthPayerAdmin(kmsConfig({ adminBucketKeyArn: ADMIN_KEY }));

  it("creates a rotating payer key whose policy names the payer account and only the payer's exports", () => {
    const key = resource(s.payer, "aws_kms_key", "cur-bucket-key/key");
    expect(key.enable_key_rotation).toBe(true);
    expect(key.deletion_window_in_days).toBe(7); // accounts/local.yaml allows data-store destroy
    expect(key.lifecycle).toEqual({ prevent_destroy: false });
    expect(statements(key.policy)).toEqual([
      {
        Sid: "PayerAccountAdministersKeyAndIamGrantsUse",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${PAYER}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "DataExportsEncryptDeliveries",
        Effect: "Allow",
        Principal: { Service: ["bcm-data-exports.amazonaws.com", "billingreports.amazonaws.com"] },
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        Condition: {
          StringEquals: { "aws:SourceAccount": PAYER },
          ArnLike: { "aws:SourceArn": EXPORT_SOURCES },
        },
      },
    ]);
    const alias = resource(s.payer, "aws_kms_alias", "cur-bucket-key/alias");
    expect(alias.name).toBe("alias/finops-cur");
    expect(alias.target_key_id).toMatch(/^\$\{aws_kms_key\.cur-bucket-key_\w+\.key_id\}$/);
  });

  it("encrypts the payer bucket with that key (S3 Bucket Key on) and the admin bucket with the supplied key", () => {
    expect(encryptionRule(s.payer, "cur-bucket/encryption")).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: "aws:kms",
          kms_master_key_id: expect.stringMatching(CREATED_KEY_ARN),
        },
        bucket_key_enabled: true,
      },
    ]);
    expect(encryptionRule(s.admin, "cur-replica-bucket/encryption")).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: ADMIN_KEY },
        bucket_key_enabled: true,
      },
    ]);
  });

  it("gives the replication role the S3 actions plus decrypt/encrypt conditioned on S3 and the buckets' encryption context", () => {
    const policy = statements(resource(s.payer, "aws_iam_role_policy", "cur-replication/policy").policy);
    expect(policy).toEqual([
      ...S3_STATEMENTS,
      {
        Sid: "DecryptSourceObjects",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: expect.stringMatching(CREATED_KEY_ARN),
        Condition: {
          StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
          StringLike: { "kms:EncryptionContext:aws:s3:arn": [CUR_BUCKET, `${CUR_BUCKET}/cur/*`] },
        },
      },
      {
        Sid: "EncryptReplicas",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
        Resource: ADMIN_KEY,
        Condition: {
          StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
          StringLike: { "kms:EncryptionContext:aws:s3:arn": [REPLICA_BUCKET, `${REPLICA_BUCKET}/cur/*`] },
        },
      },
    ]);
  });

  it("keeps the replication role's trust to S3 for this bucket of this account", () => {
    expect(statements(resource(s.payer, "aws_iam_role", "cur-replication/role").assume_role_policy)).toEqual([
      {
        Sid: "S3ReplicationOfTheCurBucket",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": PAYER },
          ArnEquals: { "aws:SourceArn": CUR_BUCKET },
        },
      },
    ]);
  });

  it("opts SSE-KMS objects in and re-encrypts replicas with the admin key's full ARN", () => {
    const rule = resource(s.payer, "aws_s3_bucket_replication_configuration", "cur-replication/configuration")
      .rule[0];
    expect(rule.source_selection_criteria).toEqual({ sse_kms_encrypted_objects: { status: "Enabled" } });
    expect(rule.destination).toEqual({
      bucket: REPLICA_BUCKET,
      account: ADMIN,
      storage_class: "STANDARD",
      access_control_translation: { owner: "Destination" },
      encryption_configuration: { replica_kms_key_id: ADMIN_KEY },
    });
  });

  it("leaves both bucket policies as with SSE-S3: TLS-only denies, then the payer's exports or its replication role", () => {
    expect(statements(resource(s.payer, "aws_s3_bucket_policy", "cur-bucket/policy").policy)).toEqual([
      ...tlsOnlyStatements(CUR_BUCKET),
      DATA_EXPORTS_WRITE(CUR_BUCKET),
    ]);
    const admin = statements(resource(s.admin, "aws_s3_bucket_policy", "cur-replica-bucket/policy").policy);
    expect(admin.map((st) => st.Sid)).toEqual([
      "DenyInsecureTransport",
      "DenyOutdatedTls",
      "AllowPayerReplicationWrite",
      "AllowPayerReplicationVersioning",
    ]);
    for (const st of admin.slice(2)) {
      expect(st.Principal).toEqual({ AWS: `arn:aws:iam::${PAYER}:root` });
      expect(st.Condition).toEqual({
        ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${PAYER}:role/finops-cur-replication` },
      });
    }
  });
});

describe("CUR encryption sse-kms, replication, payer key supplied", () => {
  const payer = synthPayer(kmsConfig({ payerBucketKeyArn: PAYER_KEY, adminBucketKeyArn: ADMIN_KEY }));

  it("creates no key, encrypts the payer bucket with the supplied key and lets the role decrypt only that key", () => {
    expect(curKeys(payer)).toEqual([]);
    expect(encryptionRule(payer, "cur-bucket/encryption")[0].apply_server_side_encryption_by_default).toEqual(
      {
        sse_algorithm: "aws:kms",
        kms_master_key_id: PAYER_KEY,
      },
    );
    const policy = statements(resource(payer, "aws_iam_role_policy", "cur-replication/policy").policy);
    expect(policy.map((st) => [st.Sid, st.Resource])).toEqual([
      ["SourceBucket", CUR_BUCKET],
      ["SourceObjects", `${CUR_BUCKET}/cur/*`],
      ["DestinationObjects", `${REPLICA_BUCKET}/cur/*`],
      ["DecryptSourceObjects", PAYER_KEY],
      ["EncryptReplicas", ADMIN_KEY],
    ]);
  });
});

describe("CUR encryption sse-kms, direct delivery", () => {
  const s = synthPayerAdmin(kmsConfig({ adminBucketKeyArn: ADMIN_KEY }, "direct"));

  it("creates no payer key, bucket or replication, and encrypts the admin bucket with the supplied key", () => {
    expect(curKeys(s.payer)).toEqual([]);
    expect(s.payer.aws_s3_bucket).toBeUndefined();
    expect(s.payer.aws_iam_role_policy?.["cur-replication"]).toBeUndefined();
    expect(encryptionRule(s.admin, "cur-replica-bucket/encryption")).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: ADMIN_KEY },
        bucket_key_enabled: true,
      },
    ]);
  });

  it("lets only the payer's exports write to the admin bucket", () => {
    expect(statements(resource(s.admin, "aws_s3_bucket_policy", "cur-replica-bucket/policy").policy)).toEqual(
      [...tlsOnlyStatements(REPLICA_BUCKET), DATA_EXPORTS_WRITE(REPLICA_BUCKET)],
    );
  });
});

describe("cur.encryption validation", () => {
  const refuse =
    (encryption: Record<string, unknown>, delivery = "replication") =>
    () =>
      localConfig((d) => {
        d.cur = { ...d.cur, delivery, encryption };
      });

  it("refuses sse-kms without the admin bucket key, naming the account and region it must be in", () => {
    expect(refuse({ mode: "sse-kms" })).toThrow(
      /cur\.encryption: has mode sse-kms but no adminBucketKeyArn; give the full ARN of a key in the admin account \(222222222222, us-east-1\)/,
    );
  });

  it("refuses an admin bucket key of another account", () => {
    expect(refuse({ mode: "sse-kms", adminBucketKeyArn: PAYER_KEY })).toThrow(
      /cur\.encryption\.adminBucketKeyArn: is a key of account 111111111111; supply a key of the admin account \(222222222222\)/,
    );
  });

  it("refuses a payer bucket key outside cur.homeRegion", () => {
    expect(
      refuse({
        mode: "sse-kms",
        adminBucketKeyArn: ADMIN_KEY,
        payerBucketKeyArn: PAYER_KEY.replace("us-east-1", "eu-west-1"),
      }),
    ).toThrow(/cur\.encryption\.payerBucketKeyArn: is a key in eu-west-1; .* supply a key in us-east-1/);
  });

  it("refuses a payer bucket key with direct delivery, which has no payer bucket", () => {
    expect(
      refuse({ mode: "sse-kms", adminBucketKeyArn: ADMIN_KEY, payerBucketKeyArn: PAYER_KEY }, "direct"),
    ).toThrow(
      /cur\.encryption\.payerBucketKeyArn: is set, but cur\.delivery is direct, which has no payer bucket; remove payerBucketKeyArn/,
    );
  });

  it("refuses a key with sse-s3", () => {
    expect(refuse({ adminBucketKeyArn: ADMIN_KEY })).toThrow(
      /cur\.encryption\.adminBucketKeyArn: is set, but cur\.encryption\.mode is sse-s3, which uses no KMS key/,
    );
  });

  it("refuses an alias instead of a key ARN, and an unknown mode", () => {
    expect(refuse({ mode: "sse-kms", adminBucketKeyArn: "alias/finops-cur" })).toThrow(
      /cur\.encryption\.adminBucketKeyArn: "alias\/finops-cur" is not a KMS key ARN; give the full key ARN/,
    );
    expect(refuse({ mode: "kms" })).toThrow(
      /cur\.encryption\.mode: "kms" is not a CUR encryption mode; use sse-s3 or sse-kms/,
    );
  });
});
