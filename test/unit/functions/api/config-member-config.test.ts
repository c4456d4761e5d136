import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../../../config/load";
import { memberBudgets, memberConfig } from "../../../../config/member-budgets";
import { Names } from "../../../../config/naming";
import type { AccountConfig } from "../../../../config/schema";
import {
  encodeMemberConfig,
  MEMBER_CONFIG_BUCKET_ENV,
  MEMBER_CONFIG_KEY_ENV,
  memberConfigMaps,
  parseMemberConfig,
} from "../../../../contracts/member-config";
import { readStackJson, synthLanding } from "../../../../deploy/synth";
import { type Json, localConfig, resourcesOf, type StackJson } from "../../../support/synth";

/** The admin stack alone (the selective synth writes the same bytes as a full one). */
function synthAdmin(config: AccountConfig): StackJson {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "finops-member-config-"));
  const saved = { ...process.env };
  process.env.FINOPS_LOCAL_DIR = path.join(outdir, ".local");
  try {
    synthLanding(config, outdir, undefined, { stacks: ["admin"] });
    return readStackJson(outdir, "admin") as StackJson;
  } finally {
    process.env = saved;
    rmSync(outdir, { recursive: true, force: true });
  }
}

function parts(admin: StackJson) {
  const all = resourcesOf(admin);
  const api = all.find(([t, , r]) => t === "aws_lambda_function" && String(r.function_name).endsWith("-api"));
  const apiRole = all.find(([t, , r]) => t === "aws_iam_role" && r.name === "finops-api");
  const apiPolicy = all.find(
    ([t, , p]) => t === "aws_iam_role_policy" && p.role === `\${aws_iam_role.${apiRole![1]}.id}`,
  );
  const objects = all.filter(([t]) => t === "aws_s3_object");
  return {
    all,
    api: api![2],
    apiName: api![1],
    statements: JSON.parse(apiPolicy![2].policy).Statement as Json[],
    objects,
  };
}

/** accounts/local.yaml with n generated members (ids 100000000000 + i, every other with a budget; two regions alternating). */
function withMembers(n: number): AccountConfig {
  return localConfig((doc) => {
    doc.members = Array.from({ length: n }, (_, i) => ({
      id: String(100_000_000_000 + i),
      name: `gen-${String(i + 1).padStart(4, "0")}`,
      email: `gen-${i + 1}@example.com`,
      ou: "Workloads",
      environment: i % 3 === 0 ? "sandbox" : "dev",
      owner: `team-${i % 10}`,
      regions: i % 2 === 0 ? ["us-east-1"] : ["eu-west-1"],
      ...(i % 2 === 0 ? { budget: { monthlyUsd: 100 + i } } : {}),
    }));
  });
}

describe("the member config the admin stack writes for the API", () => {
  const config = loadAccountConfig("accounts/local.yaml");
  const names = new Names(config);
  const admin = synthAdmin(config);
  const { all, api, apiName, statements, objects } = parts(admin);

  it("is one object, config/members.json, whose content is the config's non-retired members", () => {
    expect(objects).toHaveLength(1);
    const [, , object] = objects[0]!;
    expect(object.key).toBe("config/members.json");
    expect(object.content_type).toBe("application/json");
    expect(object.content).toBe(encodeMemberConfig(memberConfig(config)));
    // accounts/local.yaml: app-dev dev 1500, app-prod prod 12000, sandbox-data sandbox without a budget.
    const maps = memberConfigMaps(parseMemberConfig(object.content));
    expect(maps.budgets).toEqual(new Map(Object.entries(memberBudgets(config))));
    expect(maps.budgets).toEqual(
      new Map([
        ["333333333333", 1500],
        ["444444444444", 12000],
      ]),
    );
    expect(maps.environments).toEqual(
      new Map([
        ["333333333333", "dev"],
        ["444444444444", "prod"],
        ["555555555555", "sandbox"],
      ]),
    );
  });

  it("lives in its own private bucket, SSE-KMS with the data key, the object encrypted the same", () => {
    const bucket = all.find(([t, , r]) => t === "aws_s3_bucket" && r.bucket === names.appConfigBucket);
    expect(bucket).toBeDefined();
    const [, , object] = objects[0]!;
    expect(object.bucket).toBe(`\${aws_s3_bucket.${bucket![1]}.id}`);
    const encryption = all.find(
      ([t, , r]) =>
        t === "aws_s3_bucket_server_side_encryption_configuration" &&
        r.bucket === `\${aws_s3_bucket.${bucket![1]}.id}`,
    )![2];
    const dataKey = all.find(
      ([t, , r]) => t === "aws_kms_key" && String(r.description).startsWith("DynamoDB"),
    );
    const dataKeyArn = `\${aws_kms_key.${dataKey![1]}.arn}`;
    expect(encryption.rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: "aws:kms",
      kms_master_key_id: dataKeyArn,
    });
    expect(object).toMatchObject({
      server_side_encryption: "aws:kms",
      kms_key_id: dataKeyArn,
      bucket_key_enabled: true,
    });
    const block = all.find(
      ([t, , r]) =>
        t === "aws_s3_bucket_public_access_block" && r.bucket === `\${aws_s3_bucket.${bucket![1]}.id}`,
    )![2];
    expect(block).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it("is named to the API by bucket and key only, and the API waits for it", () => {
    const variables = api.environment.variables as Record<string, string>;
    expect(variables[MEMBER_CONFIG_BUCKET_ENV]).toBe(names.appConfigBucket);
    expect(variables[MEMBER_CONFIG_KEY_ENV]).toBe("config/members.json");
    expect(Object.keys(variables).filter((k) => k.startsWith("CONFIG_ACCOUNT_"))).toEqual([]);
    expect(JSON.stringify(variables)).not.toMatch(/333333333333|444444444444|555555555555/);
    expect(api.depends_on).toContain(`aws_s3_object.${objects[0]![1]}`);
    expect(apiName).toBeDefined();
  });

  it("is readable by the API: s3:GetObject on exactly that object, the key only through S3 for it", () => {
    const objectArn = `arn:aws:s3:::${names.appConfigBucket}/config/members.json`;
    const s3 = statements.filter((s) => ([s.Action].flat() as string[]).some((a) => a.startsWith("s3:")));
    expect(s3).toEqual([
      { Sid: "ReadMemberConfig", Effect: "Allow", Action: "s3:GetObject", Resource: objectArn },
    ]);
    const decrypt = statements.find((s) => s.Sid === "DecryptMemberConfig");
    expect(decrypt).toMatchObject({
      Effect: "Allow",
      Action: "kms:Decrypt",
      Condition: {
        StringEquals: {
          "kms:ViaService": `s3.${config.admin.regions[0]}.amazonaws.com`,
          "kms:EncryptionContext:aws:s3:arn": [`arn:aws:s3:::${names.appConfigBucket}`, objectArn],
        },
      },
    });
    // No other role of the stack reads the bucket.
    const others = all
      .filter(([t, , p]) => t === "aws_iam_role_policy" && p.policy.includes(names.appConfigBucket))
      .map(([, n]) => n);
    expect(others).toHaveLength(1);
  });

  it("leaves out retired members", () => {
    const retired = localConfig((doc) => {
      doc.members[1].retired = true;
    });
    expect(Object.keys(memberConfig(retired)).sort()).toEqual(["333333333333", "555555555555"]);
  });
});

describe("a 2,000-member organization", () => {
  it("synthesizes, with every member in the object and the API's environment unchanged in size", () => {
    const small = parts(synthAdmin(withMembers(3)));
    const big = parts(synthAdmin(withMembers(2000)));
    const content = big.objects[0]![2].content as string;
    const maps = memberConfigMaps(parseMemberConfig(content));
    expect(maps.environments.size).toBe(2000);
    expect(maps.budgets.size).toBe(1000);
    expect(maps.budgets.get("100000001998")).toBe(2098);
    // Over twenty times what Lambda's 4 KB of variables could hold.
    expect(content.length).toBeGreaterThan(20 * 4096);
    // The function's variables do not depend on the members: the same as with 3 of them.
    expect(big.api.environment.variables).toEqual(small.api.environment.variables);
    expect(JSON.stringify(big.api.environment.variables).length).toBeLessThan(1024);
  });
});
