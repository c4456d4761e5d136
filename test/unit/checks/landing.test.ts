import { mkdtempSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatViolation, type RuleSettings } from "../../../checks/engine";
import { checkSynthesized } from "../../../checks/exceptions";
import { parseAccountConfig } from "../../../config/load";
import type { AccountConfig } from "../../../config/schema";
import { synthLanding } from "../../../deploy/synth";

/**
 * Every rule over every stack of the shipped configs and of variants that switch on each optional
 * feature: a resource added to any stack is checked here without a new test.
 */
const edit = (file: string, change: (yaml: string) => string = (y) => y): AccountConfig =>
  parseAccountConfig(change(readFileSync(file, "utf8")), `${file} (variant)`);

const variants: Array<[string, () => AccountConfig]> = [
  ["accounts/local.yaml", () => edit("accounts/local.yaml")],
  ["accounts/example.yaml", () => edit("accounts/example.yaml")],
  [
    "example, direct delivery, data stores protected",
    () => edit("accounts/example.yaml", (y) => y.replace("delivery: replication", "delivery: direct")),
  ],
  [
    "local, stackset monitoring, data stores protected",
    () =>
      edit("accounts/local.yaml", (y) =>
        y
          .replace("mode: direct", "mode: stackset")
          .replace("allowDataStoreDestroy: true", "allowDataStoreDestroy: false"),
      ),
  ],
  [
    "example, every optional feature on, VPC mode",
    () =>
      edit("accounts/example.yaml", (y) =>
        y
          .replace("replicationTimeControl: false", "replicationTimeControl: true")
          .replace("splitCostAllocationData: false", "splitCostAllocationData: true")
          .replace("includeIamPrincipalData: false", "includeIamPrincipalData: true")
          .replace(/costOptimizationHub:\n {4}enabled: false/, "costOptimizationHub:\n    enabled: true")
          .replace(
            /\nrollout:/,
            "\nvpc:\n  enabled: true\n  cidr: 10.80.0.0/22\n  reservedCidrs: [10.0.0.0/16]\n\nrollout:",
          ),
      ),
  ],
  [
    "example, console on a custom domain behind a WAF web ACL",
    () =>
      edit("accounts/example.yaml", (y) =>
        y.replace(
          /\nrollout:/,
          '\napp:\n  console:\n    domain: finops.example.com\n    certificateArn: "arn:aws:acm:us-east-1:000000000002:certificate/11111111-2222-3333-4444-555555555555"\n    webAclArn: "arn:aws:wafv2:us-east-1:000000000002:global/webacl/finops/66666666-7777-8888-9999-000000000000"\n\nrollout:',
        ),
      ),
  ],
  [
    "local, VPC mode",
    () => edit("accounts/local.yaml", (y) => y.replace(/\nrollout:/, "\nvpc:\n  enabled: true\n\nrollout:")),
  ],
];

function settingsOf(config: AccountConfig): RuleSettings {
  return {
    logRetentionDays: config.monitoring.logRetentionDays,
    allowDataStoreDestroy: config.organization.allowDataStoreDestroy,
  };
}

describe.each(variants)("security baseline of %s", (_name, make) => {
  let report: ReturnType<typeof checkSynthesized>;
  let config: AccountConfig;

  beforeAll(() => {
    config = make();
    const outdir = mkdtempSync(path.join(os.tmpdir(), "finops-security-"));
    const saved = { ...process.env };
    process.env.FINOPS_LOCAL_DIR = path.join(outdir, ".local");
    try {
      synthLanding(config, outdir);
    } finally {
      process.env = saved;
    }
    report = checkSynthesized(outdir, settingsOf(config));
  }, 240_000);

  it("checks every stack of the organization", () => {
    const members = config.members.filter((m) => !m.retired).map((m) => `member-${m.name}`);
    expect(report.stacks).toEqual(expect.arrayContaining(["admin", "payer", ...members]));
  });

  it("has no violation outside the documented exceptions", () => {
    expect(report.violations.map(formatViolation)).toEqual([]);
  });
});
