import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  CreateBucketCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { PLAN_MANIFEST_KIND, PLAN_MANIFEST_VERSION, sha256 } from "../../deploy/plan-manifest";
import { s3ObjectStore } from "../../deploy/plan-store";
import { run } from "../../scripts/plan-store";
import { emulatorEndpoint } from "../support/local-org";

/**
 * `npm run plan:store -- put|get` through the real S3 adapter against the emulator's S3: a bucket
 * with SSE-KMS default encryption like the state bucket, plans stored under
 * <keyPrefix>/plans/pr-<n>/<sha>/ and encrypted with the bucket's key (the adapter names no
 * encryption, so the bucket default applies: S3 API reference, ServerSideEncryptionByDefault),
 * read back, and a plan swapped in the bucket refused. No Terraform: seconds, on the shared emulator.
 */

const COMMIT = "89abcdef0123456789abcdef0123456789abcdef";
const REGION = "us-east-1";
const BUCKET = `plan-store-it-${Date.now()}`;
const client = () => ({
  endpoint: emulatorEndpoint(),
  region: REGION,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  forcePathStyle: true as const,
});

let work: string;
let keyArn: string;
let config: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), "plan-store-it-"));
  const kms = new KMSClient(client());
  keyArn = (await kms.send(new CreateKeyCommand({ Description: "state key" }))).KeyMetadata!.Arn!;
  const s3 = new S3Client(client());
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: BUCKET,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyArn } }],
      },
    }),
  );
  config = path.join(work, "org.yaml");
  writeFileSync(
    config,
    readFileSync(path.join(__dirname, "../../accounts/example.yaml"), "utf8").replace(
      "bucket: example-org-terraform-state",
      `bucket: ${BUCKET}`,
    ),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function planDir(): string {
  const dir = path.join(work, "plan-out");
  mkdirSync(path.join(dir, "plans"), { recursive: true });
  writeFileSync(path.join(dir, "plans", "payer.tfplan"), "payer plan bytes");
  writeFileSync(
    path.join(dir, "stacks.json"),
    JSON.stringify({
      kind: PLAN_MANIFEST_KIND,
      schemaVersion: PLAN_MANIFEST_VERSION,
      configFile: config,
      unchanged: [],
      stacks: [
        {
          info: { stack: "payer" },
          hash: "a".repeat(64),
          status: "changes",
          planFile: "plans/payer.tfplan",
          planSha256: sha256("payer plan bytes"),
          seconds: 1,
        },
      ],
    }),
  );
  writeFileSync(path.join(dir, "summary.md"), "# plan\n");
  return dir;
}

async function cli(argv: string[]) {
  const err: string[] = [];
  const code = await run(
    argv,
    { FINOPS_CONFIG: config },
    (bucket, region) => s3ObjectStore(bucket, region, client()),
    () => {},
    (l) => err.push(l),
  );
  return { code, err: err.join("\n") };
}

describe("plan store on the emulator's S3 (SSE-KMS bucket)", () => {
  const key = `finops-landing/plans/pr-12/${COMMIT}/plans/payer.tfplan`;

  it("stores the plans encrypted with the bucket's KMS key and gets them back by hash", async () => {
    const dir = planDir();
    expect(await cli(["put", "--dir", dir, "--pr", "12", "--commit", COMMIT])).toEqual({ code: 0, err: "" });
    const head = await new S3Client(client()).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
    expect(head.SSEKMSKeyId).toBe(keyArn);

    const out = path.join(work, "fetched");
    const receipt = path.join(dir, "plan-store.json");
    expect(await cli(["get", "--dir", out, "--pr", "12", "--commit", COMMIT, "--receipt", receipt])).toEqual({
      code: 0,
      err: "",
    });
    expect(readFileSync(path.join(out, "plans", "payer.tfplan"), "utf8")).toBe("payer plan bytes");
  });

  it("refuses a plan swapped in the bucket after the review, naming the stack", async () => {
    await new S3Client(client()).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "swapped" }));
    const r = await cli([
      "get",
      "--dir",
      path.join(work, "refused"),
      "--pr",
      "12",
      "--commit",
      COMMIT,
      "--receipt",
      path.join(work, "plan-out", "plan-store.json"),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `refused: payer (its plan plans/payer.tfplan has sha256 ${sha256("swapped")}, not the reviewed ${sha256("payer plan bytes")})`,
    );
  });
});
