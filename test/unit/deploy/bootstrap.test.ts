import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../../config/load";
import { addressOf, bootstrapBackend, initialStateFile, runBootstrap } from "../../../deploy/bootstrap";

const example = loadAccountConfig("accounts/example.yaml");
const local = loadAccountConfig("accounts/local.yaml");
const fresh = () => mkdtempSync(path.join(os.tmpdir(), "finops-bootstrap-unit-"));
/** Stand-in for HeadBucket (no AWS here): says whether the state bucket exists, and that it was asked. */
const bucket = (exists: boolean) => {
  const calls: number[] = [];
  return {
    calls,
    fn: async () => {
      calls.push(1);
      return exists;
    },
  };
};

describe("which backend npm run bootstrap uses (deploy/bootstrap.ts)", () => {
  it("target local: the local target's state directory, like every stack; --migrate is refused with the reason", async () => {
    expect(await bootstrapBackend(local, fresh(), "apply")).toBe("local-target");
    await expect(bootstrapBackend(local, fresh(), "migrate")).rejects.toThrow(
      "--migrate is for target aws: the local target keeps every stack's state on disk",
    );
  });

  it("target aws, first run (no local file, no bucket): a local state file", async () => {
    const b = bucket(false);
    expect(await bootstrapBackend(example, fresh(), "apply", b.fn)).toBe("local-file");
    expect(b.calls).toHaveLength(1);
  });

  it("target aws, a local state file not yet migrated: keeps using it, without asking S3", async () => {
    const dir = fresh();
    mkdirSync(path.dirname(initialStateFile(dir)), { recursive: true });
    writeFileSync(initialStateFile(dir), "{}");
    const b = bucket(true);
    expect(await bootstrapBackend(example, dir, "plan", b.fn)).toBe("local-file");
    expect(await bootstrapBackend(example, dir, "migrate", b.fn)).toBe("bucket");
    expect(b.calls).toHaveLength(0);
  });

  it("target aws, no local file and the bucket exists (migrated, or another admin's machine): the bucket", async () => {
    expect(await bootstrapBackend(example, fresh(), "apply", bucket(true).fn)).toBe("bucket");
  });

  it("refuses --migrate without a first apply's state file, saying what to run", async () => {
    await expect(bootstrapBackend(example, fresh(), "migrate", bucket(true).fn)).rejects.toThrow(
      /does not exist: run npm run bootstrap first \(or, if it was migrated already, run it without --migrate\)/,
    );
  });

  it("refuses a config without a gitops section before anything runs", async () => {
    const { gitops: _, ...config } = local;
    await expect(
      runBootstrap({
        config: config as typeof local,
        target: { kind: "aws" },
        env: {},
        localDir: fresh(),
        mode: "plan",
        log: () => undefined,
      }),
    ).rejects.toThrow(
      'the config has no gitops section, so there is no bootstrap stack: add gitops: { repository: "<owner>/<name>" }',
    );
  });

  it("finds a resource's address in a synthesized stack", () => {
    expect(
      addressOf(
        { resource: { aws_organizations_delegated_administrator: { x_1: {} } } },
        "aws_organizations_delegated_administrator",
      ),
    ).toBe("aws_organizations_delegated_administrator.x_1");
    expect(addressOf({ resource: {} }, "aws_organizations_delegated_administrator")).toBeUndefined();
  });
});

describe("npm run bootstrap's Terraform sequence, target aws (a stand-in terraform records the calls)", () => {
  // Real Terraform against AWS cannot run here; the emulator test runs the local target for real.
  const work = fresh();
  const calls = path.join(work, "calls.log");
  const saved = process.env.FINOPS_TERRAFORM;
  beforeAll(() => {
    const fake = path.join(work, "terraform");
    writeFileSync(
      fake,
      [
        "#!/bin/sh",
        `echo "$*" >> ${JSON.stringify(calls)}`,
        'case "$1" in init|plan) exit 0 ;; *) exit 1 ;; esac',
        "",
      ].join("\n"),
    );
    chmodSync(fake, 0o755);
    process.env.FINOPS_TERRAFORM = fake;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.FINOPS_TERRAFORM;
    else process.env.FINOPS_TERRAFORM = saved;
  });
  const options = (localDir: string, mode: "apply" | "migrate") => ({
    config: example,
    target: { kind: "aws" } as const,
    env: { ...process.env },
    localDir,
    mode,
    log: () => undefined,
    bucketExists: async () => false,
    prepare: async () => undefined,
  });
  const backendOf = (dir: string) =>
    JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")).terraform.backend;

  it("first apply: a local backend at .local/bootstrap/bootstrap.tfstate; --migrate inits with it, then migrates into the synthesized S3 backend and renames the local file", async () => {
    const localDir = path.join(work, "local");
    writeFileSync(calls, "");
    const first = await runBootstrap(options(localDir, "apply"));
    expect(first.backend).toBe("local-file");
    expect(path.resolve(first.stackDir, backendOf(first.stackDir).local.path)).toBe(
      initialStateFile(localDir),
    );
    // The stand-in writes no state: make the first apply's state file exist, as Terraform would.
    writeFileSync(initialStateFile(localDir), "{}");

    writeFileSync(calls, "");
    const migrated = await runBootstrap(options(localDir, "migrate"));
    expect(migrated.backend).toBe("bucket");
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      "init -input=false -no-color",
      "init -input=false -no-color -migrate-state -force-copy",
      "plan -input=false -no-color -detailed-exitcode -out=bootstrap.tfplan",
    ]);
    expect(backendOf(migrated.stackDir).s3).toMatchObject({
      bucket: "example-org-terraform-state",
      key: "finops-landing/bootstrap.tfstate",
      use_lockfile: true,
    });
    expect(existsSync(initialStateFile(localDir))).toBe(false);
    expect(existsSync(`${initialStateFile(localDir)}.migrated`)).toBe(true);
    // The next run finds no local file and uses the bucket (reconfigured, not migrated again).
    writeFileSync(calls, "");
    const next = await runBootstrap({ ...options(localDir, "apply"), bucketExists: async () => true });
    expect(next.backend).toBe("bucket");
    expect(readFileSync(calls, "utf8").trim().split("\n")[0]).toBe(
      "init -input=false -no-color -reconfigure",
    );
    // --plan (a pull request's view, through the read roles): no lock, since the plan role cannot write one.
    writeFileSync(calls, "");
    await runBootstrap({ ...options(localDir, "apply"), mode: "plan", bucketExists: async () => true });
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      "init -input=false -no-color -reconfigure",
      "plan -input=false -no-color -detailed-exitcode -out=bootstrap.tfplan -lock=false",
    ]);
  }, 120_000);
});
