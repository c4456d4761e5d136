import { formatViolation, type RuleSettings } from "../../../../checks/engine";
import { checkSynthesized } from "../../../../checks/exceptions";
import type { AccountConfig } from "../../../../config/schema";
import { localConfigWith, resourcesOf, type StackJson, synthConfig } from "../../../support/synth";

/**
 * encryption.keys.<domain>: a supplied key replaces the landing's own key of that domain everywhere
 * the domain's key is used, and nothing is created for it (no key, key policy or alias). Synthesized
 * from accounts/local.yaml (admin 222222222222, primary and home region us-east-1).
 */
const ADMIN = "222222222222";
const supplied = (n: number) => `arn:aws:kms:us-east-1:${ADMIN}:key/00000000-0000-4000-8000-00000000000${n}`;
const DATA = supplied(1);
const FUNCTIONS = supplied(2);
const MONITORING = supplied(3);
const CENTRAL_LOG_GROUP = "/finops/monitoring/central-events";

const withKeys = (keys: Record<string, string>, extra = ""): AccountConfig =>
  localConfigWith((y) =>
    y.replace(
      /\nrollout:/,
      `\nencryption:\n  keys:\n${Object.entries(keys)
        .map(([d, arn]) => `    ${d}: "${arn}"\n`)
        .join("")}${extra}\nrollout:`,
    ),
  );

const settingsOf = (config: AccountConfig): RuleSettings => ({
  logRetentionDays: config.monitoring.logRetentionDays,
  allowDataStoreDestroy: config.organization.allowDataStoreDestroy,
});

/** Every attribute that names a KMS key, anywhere in a resource (nested blocks included). */
const KEY_ATTRIBUTES = new Set(["kms_key_arn", "kms_key_id", "kms_master_key_id", "replica_kms_key_id"]);
function keyReferences(body: unknown, path = ""): Array<[string, string]> {
  if (Array.isArray(body)) return body.flatMap((b, i) => keyReferences(b, `${path}[${i}]`));
  if (body === null || typeof body !== "object") return [];
  return Object.entries(body as Record<string, unknown>).flatMap(([k, v]) =>
    KEY_ATTRIBUTES.has(k) && typeof v === "string"
      ? [[`${path}.${k}`, v] as [string, string]]
      : keyReferences(v, `${path}.${k}`),
  );
}

/** Which domain's key each kind of resource must use (docs/security.md, "Encryption"). */
function expectedDomain(type: string, body: StackJson): "data" | "functions" | "monitoring" | undefined {
  switch (type) {
    case "aws_dynamodb_table":
    case "aws_athena_workgroup":
      return "data";
    case "aws_lambda_function":
    case "aws_sqs_queue":
      return "functions";
    case "aws_sns_topic":
      return "monitoring";
    case "aws_cloudwatch_log_group":
      return body.name === CENTRAL_LOG_GROUP ? "monitoring" : "functions";
    case "aws_s3_bucket_server_side_encryption_configuration":
      return "data"; // the Athena results bucket (the CUR replica bucket uses cur.encryption)
    default:
      return undefined;
  }
}

/** The KMS key ARNs IAM policies of the stack grant use of. */
function kmsResourcesInPolicies(stack: StackJson): string[] {
  const out: string[] = [];
  for (const [type, , body] of resourcesOf(stack)) {
    if (type !== "aws_iam_role_policy" || typeof body.policy !== "string") continue;
    for (const s of JSON.parse(body.policy).Statement as Array<Record<string, unknown>>) {
      const actions = [s.Action].flat() as string[];
      if (actions.some((a) => a.startsWith("kms:"))) out.push(...([s.Resource].flat() as string[]));
    }
  }
  return out;
}

describe("all three keys supplied (with VPC mode, so the flow log group is covered too)", () => {
  let admin: StackJson;
  let text: string;
  let outdir: string;
  let settings: RuleSettings;
  beforeAll(() => {
    const config = withKeys(
      { data: DATA, functions: FUNCTIONS, monitoring: MONITORING },
      "\nvpc:\n  enabled: true\n",
    );
    settings = settingsOf(config);
    const s = synthConfig(config);
    admin = s.stacks.admin!;
    text = s.text.admin!;
    outdir = s.outdir;
  }, 240_000);

  it("creates no key, key policy or alias in the admin stack", () => {
    for (const type of ["aws_kms_key", "aws_kms_alias", "aws_kms_key_policy"])
      expect(Object.keys(admin.resource[type] ?? {})).toEqual([]);
    expect(text).not.toMatch(/aws_kms_key\./);
  });

  it("encrypts every resource with the supplied key of its domain", () => {
    const want = { data: DATA, functions: FUNCTIONS, monitoring: MONITORING };
    const seen = new Map<string, number>();
    for (const [type, name, body] of resourcesOf(admin)) {
      for (const [attr, arn] of keyReferences(body)) {
        const domain = expectedDomain(type, body);
        expect({ at: `${type}.${name}${attr}`, arn }).toEqual({
          at: `${type}.${name}${attr}`,
          arn: domain ? want[domain] : expect.stringMatching(/^arn:aws:kms:/),
        });
        seen.set(type, (seen.get(type) ?? 0) + 1);
      }
    }
    // The references exist (a test over nothing proves nothing).
    const types = [
      "aws_dynamodb_table",
      "aws_athena_workgroup",
      "aws_lambda_function",
      "aws_cloudwatch_log_group",
      "aws_sqs_queue",
      "aws_sns_topic",
      "aws_s3_bucket_server_side_encryption_configuration",
    ];
    expect(types.filter((t) => !seen.get(t))).toEqual([]);
  });

  it("encrypts the Lambda environment and every function's log group with the functions key", () => {
    const fns = Object.values(admin.resource.aws_lambda_function) as StackJson[];
    expect(fns.length).toBeGreaterThan(5);
    for (const f of fns) expect(f.kms_key_arn).toBe(FUNCTIONS);
    const groups = Object.values(admin.resource.aws_cloudwatch_log_group) as StackJson[];
    for (const f of fns) {
      const group = groups.find((g) => g.name === `/aws/lambda/${f.function_name}`);
      expect(group?.kms_key_id).toBe(FUNCTIONS);
    }
    expect(groups.find((g) => g.name === "/finops/vpc/flow-logs")?.kms_key_id).toBe(FUNCTIONS);
    expect(groups.find((g) => g.name === CENTRAL_LOG_GROUP)?.kms_key_id).toBe(MONITORING);
  });

  it("grants the roles use of the supplied keys only", () => {
    const resources = kmsResourcesInPolicies(admin);
    expect(resources.length).toBeGreaterThan(0);
    expect([...new Set(resources)].sort()).toEqual([DATA, FUNCTIONS].sort());
  });

  it("passes every security rule in every stack", () => {
    const report = checkSynthesized(outdir, settings);
    expect(report.violations.map(formatViolation)).toEqual([]);
  });
});

describe("only the data key supplied", () => {
  let admin: StackJson;
  let outdir: string;
  let settings: RuleSettings;
  beforeAll(() => {
    const config = withKeys({ data: DATA });
    settings = settingsOf(config);
    const s = synthConfig(config);
    admin = s.stacks.admin!;
    outdir = s.outdir;
  }, 240_000);

  it("creates the functions and monitoring keys and aliases, not the data key", () => {
    const keys = Object.values(admin.resource.aws_kms_key) as StackJson[];
    expect(keys.map((k) => k["//"].metadata.path).sort()).toEqual([
      "admin/data-platform/keys/functions-key",
      "admin/monitoring/central/key",
    ]);
    expect((Object.values(admin.resource.aws_kms_alias) as StackJson[]).map((a) => a.name).sort()).toEqual([
      "alias/finops-functions",
      "alias/finops-monitoring",
    ]);
  });

  it("replaces the data key only", () => {
    const functionsKey = expect.stringMatching(
      /^\$\{aws_kms_key\.data-platform_keys_functions-key_\w+\.arn\}$/,
    );
    for (const t of Object.values(admin.resource.aws_dynamodb_table) as StackJson[])
      expect(t.server_side_encryption.kms_key_arn).toBe(DATA);
    const [wg] = Object.values(admin.resource.aws_athena_workgroup) as StackJson[];
    expect(wg.configuration.result_configuration.encryption_configuration.kms_key_arn).toBe(DATA);
    for (const f of Object.values(admin.resource.aws_lambda_function) as StackJson[])
      expect(f.kms_key_arn).toEqual(functionsKey);
    for (const q of Object.values(admin.resource.aws_sqs_queue) as StackJson[])
      expect(q.kms_master_key_id).toEqual(functionsKey);
    const [topic] = Object.values(admin.resource.aws_sns_topic) as StackJson[];
    expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.monitoring_central_key_\w+\.arn\}$/);
  });

  it("passes every security rule in every stack", () => {
    const report = checkSynthesized(outdir, settings);
    expect(report.violations.map(formatViolation)).toEqual([]);
  });
});
