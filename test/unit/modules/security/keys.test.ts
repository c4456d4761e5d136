import { readFileSync } from "node:fs";
import { TerraformStack, Testing, Token } from "cdktf";
import { checkStack } from "../../../../checks/engine";
import { ConfigError, parseAccountConfig } from "../../../../config/load";
import { KeyRing, keyPolicyStatements } from "../../../../modules/security/keys";

const local = readFileSync("accounts/local.yaml", "utf8");
const ADMIN = "222222222222";
const keyArn = (account: string, region = "us-east-1") =>
  `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function encryptionErrors(section: string): string[] {
  try {
    parseAccountConfig(local.replace(/\nrollout:/, `\nencryption:\n${section}\n\nrollout:`), "enc.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.text);
    throw e;
  }
  return [];
}

describe("encryption.keys config", () => {
  it.each([
    [
      `  keys:\n    data: alias/finops-data`,
      '"alias/finops-data" is not a KMS key ARN; give the full key ARN',
    ],
    [
      `  keys:\n    data: "${keyArn("999999999999")}"`,
      "is a key of account 999999999999; supply a key of the admin account",
    ],
    [
      `  keys:\n    functions: "${keyArn(ADMIN, "eu-west-1")}"`,
      "is a key in eu-west-1; KMS keys are regional",
    ],
    [`  keys:\n    backups: "${keyArn(ADMIN)}"`, "encryption.keys.backups: unknown key"],
  ])("refuses %j", (section, message) => {
    expect(encryptionErrors(section).join("\n")).toContain(message);
  });

  it("accepts a key of the admin account in its primary region", () => {
    expect(encryptionErrors(`  keys:\n    data: "${keyArn(ADMIN)}"`)).toEqual([]);
  });

  it("wants the monitoring key in organization.homeRegion, where the central log group and topic live", () => {
    // The admin gains eu-west-1 as a second region; the home region (central bus, and since the
    // application must run there, the admin's primary region: config/rules.ts) stays us-east-1.
    const errors = (section: string) => {
      try {
        parseAccountConfig(
          local
            .replace(/(\nadmin:[\s\S]*?regions: )\[us-east-1\]/, "$1[us-east-1, eu-west-1]")
            .replace(/\nrollout:/, `\nencryption:\n${section}\n\nrollout:`),
          "enc.yaml",
        );
      } catch (e) {
        if (e instanceof ConfigError) return e.issues.map((i) => i.text);
        throw e;
      }
      return [];
    };
    expect(errors(`  keys:\n    monitoring: "${keyArn(ADMIN)}"`)).toEqual([]);
    expect(errors(`  keys:\n    monitoring: "${keyArn(ADMIN, "eu-west-1")}"`).join("\n")).toContain(
      "is a key in eu-west-1; KMS keys are regional: supply a key in organization.homeRegion, where the central monitoring lives, us-east-1",
    );
    expect(errors(`  keys:\n    data: "${keyArn(ADMIN, "eu-west-1")}"`).join("\n")).toContain(
      "supply a key in the admin's primary region us-east-1",
    );
  });
});

function ring(keys: Record<string, string> = {}) {
  const stack = new TerraformStack(Testing.app(), "keys");
  const r = new KeyRing(stack, "keys", {
    encryption: { keys },
    accountId: ADMIN,
    region: "us-east-1",
    aliasPrefix: "finops",
  });
  return { stack, r };
}

describe("KeyRing", () => {
  it("creates a rotating, protected key with an alias only for the domains asked for", () => {
    const { stack, r } = ring();
    const arn = r.resolveKey("functions");
    const json = JSON.parse(Testing.synth(stack));
    const keys = Object.values(json.resource.aws_kms_key) as Array<Record<string, unknown>>;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(Token.isUnresolved(arn)).toBe(true); // a reference to the created key, not a literal
    expect(r.createdKey("data")).toBeUndefined();
    expect(Object.values(json.resource.aws_kms_alias)).toEqual([
      expect.objectContaining({ name: "alias/finops-functions" }),
    ]);
  });

  it("uses a supplied key as it is and creates nothing for it", () => {
    const { stack, r } = ring({ data: keyArn(ADMIN) });
    expect(r.resolveKey("data")).toBe(keyArn(ADMIN));
    expect(JSON.parse(Testing.synth(stack)).resource).toBeUndefined();
  });

  it("refuses to add statements to a supplied key's policy, saying what to add", () => {
    const { r } = ring({ data: keyArn(ADMIN) });
    expect(() =>
      r.addToKeyPolicy("data", {
        Effect: "Allow",
        Principal: { AWS: "x" },
        Action: "kms:Decrypt",
        Resource: "*",
      }),
    ).toThrow(/supplied by ARN \(encryption\.keys\.data\); add these statements to its key policy yourself/);
  });

  it("produces key policies that pass the key and data-store rules", () => {
    const { stack, r } = ring();
    r.resolveKey("data");
    r.resolveKey("functions");
    r.resolveKey("monitoring");
    r.addToKeyPolicy("data", {
      Sid: "Replication",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::111111111111:role/finops-cur-replication" },
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: "*",
    });
    const json = JSON.parse(Testing.synth(stack));
    const found = checkStack("keys", json, { logRetentionDays: 365, allowDataStoreDestroy: false });
    expect(found.map((v) => `${v.rule} ${v.path}`)).toEqual([]);
    const dataPolicy = JSON.parse(
      (Object.values(json.resource.aws_kms_key) as Array<{ policy: string }>)[0]!.policy,
    );
    expect(dataPolicy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      "AccountAdministersKeyAndIamGrantsUse",
      "Replication",
    ]);
  });

  it("lets EventBridge and S3 write the functions key's encrypted queues only for this account", () => {
    const byService = Object.fromEntries(
      keyPolicyStatements("functions", ADMIN, "us-east-1")
        .filter((s) => s.Sid !== "CloudWatchLogsForThisAccountsLogGroups")
        .map((s) => [JSON.stringify(s.Principal), s.Condition]),
    );
    const own = { StringEquals: { "aws:SourceAccount": ADMIN } };
    expect(byService).toEqual({
      [JSON.stringify({ AWS: `arn:aws:iam::${ADMIN}:root` })]: undefined,
      [JSON.stringify({ Service: "s3.amazonaws.com" })]: own,
      [JSON.stringify({ Service: "events.amazonaws.com" })]: own,
    });
  });

  it("lets only the account use the data key, and CloudWatch alarms and Logs the monitoring key", () => {
    expect(keyPolicyStatements("data", ADMIN, "us-east-1").map((s) => s.Principal)).toEqual([
      { AWS: `arn:aws:iam::${ADMIN}:root` },
    ]);
    const central = `arn:aws:logs:us-east-1:${ADMIN}:log-group:/finops/monitoring/central-events`;
    expect(
      keyPolicyStatements("monitoring", ADMIN, "us-east-1", { logGroupArns: central }).map((s) => [
        s.Principal,
        s.Condition,
      ]),
    ).toEqual([
      [{ AWS: `arn:aws:iam::${ADMIN}:root` }, undefined],
      [
        { Service: "logs.us-east-1.amazonaws.com" },
        { ArnLike: { "kms:EncryptionContext:aws:logs:arn": central } },
      ],
      [{ Service: "cloudwatch.amazonaws.com" }, { StringEquals: { "aws:SourceAccount": ADMIN } }],
    ]);
  });

  it("lets CloudWatch Logs use the functions key only for this account's log groups", () => {
    const logs = keyPolicyStatements("functions", ADMIN, "us-east-1").find(
      (s) => s.Sid === "CloudWatchLogsForThisAccountsLogGroups",
    );
    expect(logs?.Condition).toEqual({
      ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${ADMIN}:log-group:*` },
    });
  });
});
