import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import {
  CurReplication,
  type CurReplicationProps,
  replicationRoleStatements,
} from "../../../../modules/payer/cur-replication";

const base: CurReplicationProps = {
  provider: undefined as never,
  payerAccountId: "111111111111",
  sourceBucketName: "src",
  sourceRegion: "us-east-1",
  destinationBucketName: "dst",
  destinationAccountId: "222222222222",
  destinationRegion: "eu-west-1",
  roleName: "finops-cur-replication",
  s3Prefix: "cur",
  exportNames: ["finops-cur2"],
};
const SOURCE_KEY = "arn:aws:kms:us-east-1:111111111111:key/11111111-aaaa-4bbb-8ccc-000000000001";
const REPLICA_KEY = "arn:aws:kms:eu-west-1:222222222222:key/22222222-aaaa-4bbb-8ccc-000000000002";

function synthReplication(props: Partial<CurReplicationProps>) {
  const app = new App();
  const stack = new TerraformStack(app, "t");
  const provider = new AwsProvider(stack, "aws", { region: "us-east-1" });
  new CurReplication(stack, "r", { ...base, provider, ...props });
  return JSON.parse(Testing.synth(stack));
}

describe("CUR replication with SSE-KMS", () => {
  it("grants kms:Decrypt on the source key only through S3 in the source region for the source bucket's objects", () => {
    const st = replicationRoleStatements({ ...base, sourceKmsKeyArn: SOURCE_KEY });
    expect(st.find((s) => s.Sid === "DecryptSourceObjects")).toEqual({
      Sid: "DecryptSourceObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: SOURCE_KEY,
      Condition: {
        StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::src", "arn:aws:s3:::src/cur/*"] },
      },
    });
  });

  it("grants encrypt on the replica key only through S3 in the destination region for the destination prefix", () => {
    const st = replicationRoleStatements({ ...base, replicaKmsKeyArn: REPLICA_KEY });
    expect(st.find((s) => s.Sid === "EncryptReplicas")).toEqual({
      Sid: "EncryptReplicas",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: REPLICA_KEY,
      Condition: {
        StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::dst", "arn:aws:s3:::dst/cur/*"] },
      },
    });
  });

  it("opts SSE-KMS objects in and re-encrypts replicas with the full replica key ARN", () => {
    const json = synthReplication({ sourceKmsKeyArn: SOURCE_KEY, replicaKmsKeyArn: REPLICA_KEY });
    const conf = Object.values(json.resource.aws_s3_bucket_replication_configuration)[0] as {
      rule: { source_selection_criteria: unknown; destination: { encryption_configuration: unknown } }[];
    };
    expect(conf.rule[0]!.source_selection_criteria).toEqual({
      sse_kms_encrypted_objects: { status: "Enabled" },
    });
    expect(conf.rule[0]!.destination.encryption_configuration).toEqual({ replica_kms_key_id: REPLICA_KEY });
  });

  it("has no KMS statement when both buckets use SSE-S3", () => {
    expect(replicationRoleStatements(base).some((s) => String(s.Action).includes("kms:"))).toBe(false);
  });

  it("refuses a replica key alias, naming the field and why", () => {
    expect(() => synthReplication({ replicaKmsKeyArn: "alias/finops-cur" })).toThrow(
      /replicaKmsKeyArn "alias\/finops-cur" is not a full KMS key ARN; .*\(an alias resolves in the payer account/,
    );
  });
});

describe("CUR replication key pairing", () => {
  it("refuses a source key without a replica key (S3 needs ReplicaKmsKeyID for SSE-KMS objects)", () => {
    expect(() => synthReplication({ sourceKmsKeyArn: SOURCE_KEY })).toThrow(
      /sourceKmsKeyArn is set without replicaKmsKeyArn; .*cur\.encryption\.adminBucketKeyArn/,
    );
  });
});
