import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
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
