/**
 * Issue 14: any loader failure is a located config error, never an uncaught exception; all errors
 * are reported at once; the CLI prints no stack trace for bad input.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, loadAccountConfig, parseAccountConfig } from "../../../config/load";

const fixtures = path.join(__dirname, "../../fixtures/config");
const rel = (f: string) => path.relative(process.cwd(), path.join(fixtures, f));

function errorsOf(file: string): string[] {
  try {
    loadAccountConfig(file);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.text);
    throw e;
  }
  throw new Error(`${file} was accepted`);
}

describe("loader failures are located config errors", () => {
  it("an alias bomb (billion laughs) is refused at its first alias, not expanded", () => {
    const file = rel("loader/alias-bomb.yaml");
    const started = Date.now();
    expect(errorsOf(file)).toEqual([
      `${file}:3:8 (yaml): expands YAML aliases (*name) past 100 references, which looks like an alias bomb; write the values out or use fewer aliases`,
    ]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each(["loader/empty.yaml", "loader/only-comments.yaml"])("%s is an empty document", (f) => {
    expect(errorsOf(rel(f))).toEqual([
      `${rel(f)}:1:1 (document): is empty (no YAML content); it must be a mapping with organization, payer, admin and members (see accounts/example.yaml)`,
    ]);
  });

  it("a list is not a config", () => {
    expect(errorsOf(rel("loader/not-a-mapping.yaml"))).toEqual([
      `${rel("loader/not-a-mapping.yaml")}:2:1 (document): must be a mapping with organization, payer, admin and members (see accounts/example.yaml)`,
    ]);
  });

  it("a binary file is not YAML", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "finops-cfg-")), "binary.yaml");
    writeFileSync(file, Buffer.from([0x00, 0x01, 0xff, 0x50, 0x4b]));
    const [text] = errorsOf(file);
    expect(text).toMatch(/binary\.yaml:1:1 \(file\): is not a text file \(it contains NUL bytes\)/);
  });

  it("a directory is not a file", () => {
    expect(errorsOf("accounts")).toEqual([
      "accounts: is a directory, not a file; set FINOPS_CONFIG to a file under accounts/ (e.g. accounts/example.yaml)",
    ]);
  });

  it("all errors at once: a schema error does not hide independent rule errors in other sections", () => {
    const file = rel("loader/independent-errors.yaml");
    const errors = errorsOf(file);
    expect(errors.map((e) => e.replace(/^\S+:\d+:\d+ /, "").split(":")[0])).toEqual([
      "members[0].id",
      "cur.homeRegion",
      "organization.homeRegion",
    ]);
    for (const e of errors) expect(e).toMatch(new RegExp(`^${file.replace(/[.]/g, "\\.")}:\\d+:\\d+ `));
  });

  it("all errors at once: rule errors in valid sections beside a schema error in another", () => {
    const yaml = readFileSync(path.join(fixtures, "valid-minimal.yaml"), "utf8")
      .replace("  email: payer@example.com\n", "  email: payer@example.com\n  regions: [eu-west-1]\n")
      .concat("monitoring:\n  stackset:\n    organizationalUnits: [Platform]\napp:\n  spendCardsHour: 25\n");
    let texts: string[] = [];
    try {
      parseAccountConfig(yaml, "edited.yaml");
    } catch (e) {
      texts = (e as ConfigError).issues.map((i) => i.text);
    }
    expect(texts.map((t) => t.replace(/^\S+:\d+:\d+ /, "").split(":")[0]).sort()).toEqual([
      "app.spendCardsHour",
      "monitoring.stackset.organizationalUnits[0]",
      "payer.regions",
    ]);
  });
});

describe("all errors at once within the members list", () => {
  it("a member that fails the schema does not hide another member's OU or a duplicate email", () => {
    const yaml = readFileSync(path.join(fixtures, "valid-minimal.yaml"), "utf8").concat(
      [
        '  - id: "444444444444"',
        "    name: app-prod",
        "    email: CloudOps@example.com",
        "    ou: Platform",
        "    environment: prod",
        "    owner: team-app",
        "    regions: [us-east-1]",
        "",
      ].join("\n"),
    );
    const broken = yaml.replace("    environment: dev\n", "    environment: qa\n");
    let texts: string[] = [];
    try {
      parseAccountConfig(broken, "edited.yaml");
    } catch (e) {
      texts = (e as ConfigError).issues.map((i) => i.text);
    }
    expect(texts.map((t) => t.replace(/^\S+:\d+:\d+ /, "").split(":")[0])).toEqual([
      "members[0].environment",
      "members[1].email",
      "members[1].ou",
    ]);
  });
});

describe("npx tsx scripts/accounts-validate.ts: no stack trace for bad input", () => {
  const validate = (...files: string[]) =>
    spawnSync("npx", ["tsx", "scripts/accounts-validate.ts", ...files], { encoding: "utf8" });

  it("exits 1 and names file, location and fix for every kind of bad input, each reported", () => {
    const binary = path.join(mkdtempSync(path.join(os.tmpdir(), "finops-cfg-")), "binary.yaml");
    writeFileSync(binary, Buffer.from([0x00, 0x01, 0xff]));
    const files = [
      rel("loader/alias-bomb.yaml"),
      rel("loader/empty.yaml"),
      rel("loader/not-a-mapping.yaml"),
      rel("loader/independent-errors.yaml"),
      rel("synth-refused/stackset-unknown-ou.yaml"),
      rel("synth-refused/govcloud-region.yaml"),
      rel("aws-refused/budget-eleven-subscribers.yaml"),
      rel("invalid/yaml-syntax.yaml"),
      binary,
      "accounts",
      "accounts/nope.yaml",
    ];
    const r = validate(...files);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/Error:|TypeError|ReferenceError/);
    for (const f of files) {
      const shown = path.relative(process.cwd(), path.resolve(f));
      expect(r.stderr).toContain(`FAIL ${shown}: `);
    }
    // Each located: file:line:column path: message
    expect(r.stderr).toContain(`${rel("loader/alias-bomb.yaml")}:3:8 (yaml): expands YAML aliases`);
    expect(r.stderr).toMatch(
      /stackset-unknown-ou\.yaml:\d+:\d+ monitoring\.stackset\.organizationalUnits\[0\]: no OU named/,
    );
    expect(r.stderr).toMatch(
      /govcloud-region\.yaml:\d+:\d+ admin\.regions\[1\]: "us-gov-west-1" is in the aws-us-gov partition/,
    );
  });

  it("exits 0 for valid configs", () => {
    const r = validate(path.join("test/fixtures/config/valid-minimal.yaml"), "accounts/example.yaml");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok {3}test\/fixtures\/config\/valid-minimal\.yaml: /m);
  });

  it("a flag is a usage error, exit 2", () => {
    const r = validate("--strict");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("usage: npm run accounts:validate [file...]");
  });
});
