import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Target } from "../../../config/target";
import { lockSatisfies, prepareForCdktfCli, requiredProviders } from "../../../deploy/cdktf-cli";
import type { LandingStackInfo } from "../../../stacks/landing";

const LOCK = `provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "5.100.0"
  hashes = [
    "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",
  ]
}
`;
const REQUIRED = new Map([["registry.terraform.io/hashicorp/aws", "5.100.0"]]);
const STACK_JSON = { terraform: { required_providers: { aws: { source: "aws", version: "5.100.0" } } } };
const info = (stack: string, kind: LandingStackInfo["kind"], dependsOn: string[] = []): LandingStackInfo => ({
  stack,
  kind,
  accountId: "111111111111",
  accountName: stack,
  regions: ["us-east-1"],
  dependsOn,
});
const STACKS = [info("admin", "admin"), info("payer", "payer", ["admin"])];
const AWS: Target = { kind: "aws" };

/** An output directory with synthesized stacks, each already holding `lock` (when given). */
function outdir(lock?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "finops-cli-"));
  for (const s of STACKS) {
    mkdirSync(path.join(dir, "stacks", s.stack), { recursive: true });
    writeFileSync(path.join(dir, "stacks", s.stack, "cdk.tf.json"), JSON.stringify(STACK_JSON));
    if (lock) writeFileSync(path.join(dir, "stacks", s.stack, ".terraform.lock.hcl"), lock);
  }
  return dir;
}

function mirror(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "finops-mirror-"));
  mkdirSync(path.join(dir, "registry.terraform.io", "hashicorp", "aws", "5.100.0", "linux_amd64"), {
    recursive: true,
  });
  return dir;
}

describe("the cdktf CLI's offline readiness (deploy/cdktf-cli.ts)", () => {
  it("reads the required providers with their full source", () => {
    expect([...requiredProviders(STACK_JSON)]).toEqual([["registry.terraform.io/hashicorp/aws", "5.100.0"]]);
    expect([
      ...requiredProviders({
        terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.1.0" } } },
      }),
    ]).toEqual([["registry.terraform.io/hashicorp/aws", "5.1.0"]]);
  });

  it("accepts a lock file only with the exact version and a hash", () => {
    expect(lockSatisfies(LOCK, REQUIRED)).toBe(true);
    expect(lockSatisfies(LOCK.replaceAll("5.100.0", "5.99.0"), REQUIRED)).toBe(false);
    expect(lockSatisfies(LOCK.replace(/"h1:[^"]+",/, ""), REQUIRED)).toBe(false);
    expect(lockSatisfies("", REQUIRED)).toBe(false);
  });

  it("without a mirror writes nothing and says what to set offline", () => {
    const dir = outdir();
    const notes = prepareForCdktfCli(dir, STACKS, AWS, {});
    expect(notes[0]).toEqual({
      level: "info",
      text: expect.stringContaining("offline: set TF_PROVIDER_MIRROR=<provider mirror>"),
    });
    expect(existsSync(path.join(dir, "stacks", "admin", ".terraform.lock.hcl"))).toBe(false);
    expect(existsSync(path.join(dir, "stacks", "admin", "terraform.d"))).toBe(false);
  });

  it("with a mirror links it as terraform.d/plugins and keeps a lock file that already satisfies", () => {
    const dir = outdir(LOCK);
    const m = mirror();
    const env = { TF_PROVIDER_MIRROR: m, HOME: mkdtempSync(path.join(os.tmpdir(), "finops-home-")) };
    const notes = prepareForCdktfCli(dir, STACKS, AWS, env);
    for (const s of STACKS) {
      expect(readlinkSync(path.join(dir, "stacks", s.stack, "terraform.d", "plugins"))).toBe(m);
      expect(readFileSync(path.join(dir, "stacks", s.stack, ".terraform.lock.hcl"), "utf8")).toBe(LOCK);
    }
    expect(notes.map((n) => n.level)).toEqual(["info", "info"]);
    expect(notes[0]!.text).toBe(
      `providers  from the mirror ${m}: linked as terraform.d/plugins in every stack directory`,
    );
    // Idempotent: a second synth finds the link in place.
    expect(prepareForCdktfCli(dir, STACKS, AWS, env)).toEqual(notes);
  });

  it("names the order and the commands for a stack that needs another first", () => {
    const notes = prepareForCdktfCli(outdir(), STACKS, AWS, {});
    expect(notes.filter((n) => n.text.startsWith("order"))).toEqual([
      {
        level: "info",
        text: "order      payer needs admin first (the payer replicates CUR into the admin's bucket): cdktf deploy admin payer; with admin already applied: cdktf deploy payer --ignore-missing-stack-dependencies; destroy with cdktf destroy payer admin",
      },
    ]);
  });

  it("says exactly what to add when the CLI config's provider_installation hides the mirror", () => {
    const m = mirror();
    const rc = path.join(mkdtempSync(path.join(os.tmpdir(), "finops-rc-")), "terraformrc");
    writeFileSync(rc, "provider_installation {\n  direct {}\n}\n");
    const notes = prepareForCdktfCli(outdir(LOCK), STACKS, AWS, {
      TF_PROVIDER_MIRROR: m,
      TF_CLI_CONFIG_FILE: rc,
    });
    expect(notes.filter((n) => n.level === "problem")).toEqual([
      {
        level: "problem",
        text: expect.stringContaining(
          `add to that block: filesystem_mirror { path = "${m}" include = ["registry.terraform.io/hashicorp/*"] }`,
        ),
      },
    ]);
  });

  it("refuses a mirror that is not one", () => {
    const notMirror = mkdtempSync(path.join(os.tmpdir(), "finops-empty-"));
    expect(() => prepareForCdktfCli(outdir(), STACKS, AWS, { TF_PROVIDER_MIRROR: notMirror })).toThrow(
      "has no registry.terraform.io folder",
    );
  });
});
