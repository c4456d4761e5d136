import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ConfigError, loadAccountConfig, parseAccountConfig } from "../../../config/load";

const dir = path.join(__dirname, "../../fixtures/config/invalid");

/** Each fixture differs from valid-minimal.yaml in one way (many-errors in several); the messages are exact. */
const cases: Array<[string, string[]]> = [
  [
    "aws-without-state-backend",
    [
      "invalid/aws-without-state-backend.yaml:3:1 organization: has no stateBackend, which target aws requires; add organization.stateBackend with the state bucket and its region (see README: state bucket bootstrap)",
    ],
  ],
  [
    "cur-home-region",
    [
      'invalid/cur-home-region.yaml:25:3 cur.homeRegion: is "eu-west-1", but AWS Data Exports (CUR 2.0, FOCUS) exist only in us-east-1; set cur.homeRegion: us-east-1 (the export can still deliver to a bucket in another region)',
    ],
  ],
  [
    "email-duplicate",
    [
      'invalid/email-duplicate.yaml:19:5 members[0].email: "CloudOps@example.com" is already used by admin; AWS requires a distinct root email per account',
    ],
  ],
  [
    "email-missing",
    [
      'invalid/email-missing.yaml:17:5 members[0].email: is required; give the email address, e.g. "aws+dev@example.com"',
    ],
  ],
  [
    "environment-invalid",
    [
      'invalid/environment-invalid.yaml:21:5 members[0].environment: "production" is not an environment; use one of prod, staging, dev, test, sandbox, shared',
    ],
  ],
  [
    "id-11-digits",
    [
      'invalid/id-11-digits.yaml:17:5 members[0].id: "33333333333" is not a 12-digit AWS account id; account ids have exactly 12 digits, e.g. "123456789012"',
    ],
  ],
  [
    "id-duplicate",
    [
      'invalid/id-duplicate.yaml:17:5 members[0].id: "222222222222" is already used by admin; every account needs its own 12-digit id',
    ],
  ],
  [
    "id-unquoted",
    [
      'invalid/id-unquoted.yaml:17:5 members[0].id: must be a quoted string (YAML reads 333333333333 as a number); write it as "333333333333"',
    ],
  ],
  [
    "many-errors",
    [
      'invalid/many-errors.yaml:5:3 organization.homeRegoin: unknown key; did you mean "homeRegion"? remove it or use one of: name, homeRegion, deployRoleName, tagPrefix, organizationalUnits, stateBackend, allowDataStoreDestroy, credentials',
      'invalid/many-errors.yaml:18:5 members[0].id: "3333" is not a 12-digit AWS account id; account ids have exactly 12 digits, e.g. "123456789012"',
      'invalid/many-errors.yaml:22:5 members[0].environment: "qa" is not an environment; use one of prod, staging, dev, test, sandbox, shared',
    ],
  ],
  [
    "name-duplicate",
    [
      'invalid/name-duplicate.yaml:18:5 members[0].name: "cloudops" is already used by admin; names become stack ids and must be unique',
    ],
  ],
  [
    "name-invalid",
    [
      'invalid/name-invalid.yaml:18:5 members[0].name: "App Dev" is not a valid account name; use 2-32 lowercase letters, digits and hyphens, starting with a letter (it becomes the stack id and part of resource names)',
    ],
  ],
  [
    "not-a-mapping",
    [
      "invalid/not-a-mapping.yaml:2:1 (document): must be a mapping with organization, payer, admin and members (see accounts/example.yaml)",
    ],
  ],
  [
    "ou-cycle",
    [
      'invalid/ou-cycle.yaml:7:7 organization.organizationalUnits[0].parent: OU "Workloads" is its own ancestor (Workloads → Platform → Workloads); break the cycle',
      'invalid/ou-cycle.yaml:9:7 organization.organizationalUnits[1].parent: OU "Platform" is its own ancestor (Platform → Workloads → Platform); break the cycle',
    ],
  ],
  [
    "ou-unknown",
    [
      'invalid/ou-unknown.yaml:20:5 members[0].ou: no OU named "Platform" in organization.organizationalUnits; OUs are: Workloads',
    ],
  ],
  [
    "payer-is-admin",
    [
      "invalid/payer-is-admin.yaml:12:3 admin.id: is the payer's id; the delegated admin must be a different account from the payer (management) account, so that the FinOps application never runs with payer privileges",
    ],
  ],
  [
    "region-order-unused",
    [
      'invalid/region-order-unused.yaml:25:17 rollout.regionOrder[0]: "ap-south-1" is not a region of any member; member regions are: us-east-1',
    ],
  ],
  [
    "region-unknown",
    [
      'invalid/region-unknown.yaml:23:15 members[0].regions[0]: "eu-west-9" is not an AWS region; use a region code such as "us-east-1" or "eu-west-1"',
    ],
  ],
  [
    "rollout-count-and-percentage",
    [
      "invalid/rollout-count-and-percentage.yaml:26:3 rollout.maxConcurrentPercentage: cannot be set together with maxConcurrentCount; keep one of the two",
    ],
  ],
  [
    "unknown-key",
    [
      "invalid/unknown-key.yaml:17:5 members[0].regions: is required; list the account's regions, primary first, e.g. [us-east-1]",
      'invalid/unknown-key.yaml:23:5 members[0].regoins: unknown key; did you mean "regions"? remove it or use one of: id, name, email, deployRole, ou, environment, owner, regions, budget, retired',
    ],
  ],
  [
    "yaml-duplicate-key",
    ["invalid/yaml-duplicate-key.yaml:23:5 (yaml): Map keys must be unique; fix the YAML syntax here"],
  ],
  [
    "yaml-syntax",
    [
      "invalid/yaml-syntax.yaml:7:1 (yaml): A block sequence may not be used as an implicit map key; fix the YAML syntax here",
      "invalid/yaml-syntax.yaml:7:2 (yaml): Implicit keys need to be on a single line; fix the YAML syntax here",
      "invalid/yaml-syntax.yaml:7:2 (yaml): Implicit map keys need to be followed by map values; fix the YAML syntax here",
    ],
  ],
];
function errorsOf(file: string): string[] {
  try {
    parseAccountConfig(readFileSync(path.join(dir, `${file}.yaml`), "utf8"), `invalid/${file}.yaml`);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.text);
    throw e;
  }
  throw new Error(`invalid/${file}.yaml was accepted`);
}

describe("account config validation", () => {
  it.each(cases)("rejects %s with exact, located messages", (file, expected) => {
    expect(errorsOf(file)).toEqual(expected);
  });

  it("has a test case for every invalid fixture", () => {
    const { readdirSync } = require("node:fs") as typeof import("node:fs");
    const files = readdirSync(dir)
      .filter((f: string) => f.endsWith(".yaml"))
      .map((f: string) => f.replace(/\.yaml$/, ""))
      .sort();
    expect(cases.map(([f]) => f).sort()).toEqual(files);
  });

  it("accepts the minimal fixture every invalid case is derived from, filling defaults", () => {
    const config = parseAccountConfig(
      readFileSync(path.join(dir, "../valid-minimal.yaml"), "utf8"),
      "valid-minimal.yaml",
    );
    expect(config.organization.deployRoleName).toBe("OrganizationAccountAccessRole");
    expect(config.organization.homeRegion).toBe("us-east-1");
    expect(config.cur.delivery).toBe("replication");
    expect(config.monitoring.logRetentionDays).toBe(365);
    expect(config.members[0]!.retired).toBe(false);
  });

  it.each(["accounts/local.yaml", "accounts/example.yaml"])("accepts the shipped config %s", (file) => {
    const config = loadAccountConfig(file);
    expect(config.members.length).toBeGreaterThanOrEqual(3);
  });

  it("describes the emulated organization with at least three members across two regions and two OUs", () => {
    const config = loadAccountConfig("accounts/local.yaml");
    expect(config.target).toBe("local");
    expect(new Set(config.members.flatMap((m) => m.regions)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(config.members.map((m) => m.ou)).size).toBeGreaterThanOrEqual(2);
  });

  it("says which file is missing and how to choose another", () => {
    expect(() => loadAccountConfig("accounts/nope.yaml")).toThrow(
      "accounts/nope.yaml: no such file; set FINOPS_CONFIG to a file under accounts/ (e.g. accounts/example.yaml)",
    );
  });

  it("reports the number of errors and every message in the thrown error's text", () => {
    expect(() =>
      parseAccountConfig(
        readFileSync(path.join(dir, "many-errors.yaml"), "utf8"),
        "invalid/many-errors.yaml",
      ),
    ).toThrow(
      /^invalid\/many-errors\.yaml: 3 errors in the account config:\n {2}- invalid\/many-errors\.yaml:5:3 /,
    );
  });
});
