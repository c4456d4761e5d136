import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  compareStack,
  compareSynthOutputs,
  isIdentical,
  normalize,
  renderComparison,
} from "../../../deploy/synth-compare";

// Stack JSON shaped as cdktf writes cdk.tf.json: "//" metadata, resource.<type>.<name>, provider lists.
function stack(
  fnName: string,
  role = "arn:aws:iam::111111111111:role/r",
  hash = "0123456789ABCDEF0123456789ABCDEF",
) {
  return {
    "//": { metadata: { stackName: "admin" } },
    provider: { aws: [{ region: "eu-west-1" }, { alias: "us-east-1", region: "us-east-1" }] },
    resource: {
      aws_lambda_function: {
        [fnName]: {
          "//": { metadata: { path: `admin/app/${fnName}`, uniqueId: fnName } },
          filename: `assets/app_api_code_1234/${hash}/api.zip`,
          source_code_hash: `${hash}==`,
          role,
        },
      },
    },
    output: { api_url: { value: "x" } },
  };
}

describe("synth comparison as Terraform sees it", () => {
  it("ignores construct metadata and bundle hashes, and nothing else", () => {
    const a = stack("api", undefined, "0123456789ABCDEF0123456789ABCDEF");
    const b = stack("api", undefined, "FEDCBA9876543210FEDCBA9876543210");
    (b.resource.aws_lambda_function.api["//"].metadata as { path: string }).path = "admin/app/api-tier/api";
    expect(compareStack("admin", a, b)).toEqual({ stack: "admin", added: [], removed: [], changed: [] });
    // With hashes kept, the rebuilt bundle is a change of filename and source_code_hash.
    expect(compareStack("admin", a, b, true).changed).toEqual([
      { address: "resource.aws_lambda_function.api", paths: ["filename", "source_code_hash"] },
    ]);
    expect(normalize({ "//": 1, x: "assets/a_b/0123456789ABCDEF0123456789ABCDEF/f.zip" })).toEqual({
      x: "assets/a_b/<asset hash>/f.zip",
    });
  });

  it("reports a renamed resource as a destroy and a create, and a changed attribute by its path", () => {
    const renamed = compareStack("admin", stack("api"), stack("api_2"));
    expect(renamed.removed).toEqual(["resource.aws_lambda_function.api"]);
    expect(renamed.added).toEqual(["resource.aws_lambda_function.api_2"]);
    const changed = compareStack("admin", stack("api"), stack("api", "arn:aws:iam::111111111111:role/other"));
    expect(changed.changed).toEqual([{ address: "resource.aws_lambda_function.api", paths: ["role"] }]);
  });

  it("compares providers by alias and whole output directories by stack", () => {
    const b = stack("api");
    b.provider.aws[1].region = "us-west-2";
    expect(compareStack("admin", stack("api"), b).changed).toEqual([
      { address: "provider.aws.us-east-1", paths: ["region"] },
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), "synth-compare-test-"));
    try {
      const write = (side: string, name: string, json: unknown) => {
        mkdirSync(path.join(dir, side, "stacks", name), { recursive: true });
        writeFileSync(path.join(dir, side, "stacks", name, "cdk.tf.json"), JSON.stringify(json));
      };
      write("a", "admin", stack("api"));
      write("a", "member-old", stack("x"));
      write("b", "admin", stack("api"));
      write("b", "member-new", stack("x"));
      const r = compareSynthOutputs(path.join(dir, "a"), path.join(dir, "b"));
      expect(r.addedStacks).toEqual(["member-new"]);
      expect(r.removedStacks).toEqual(["member-old"]);
      expect(isIdentical(r)).toBe(false);
      expect(renderComparison("cfg", r)).toContain(
        "- stack member-old (only in the old synth: its resources would be destroyed)",
      );
      const same = compareSynthOutputs(path.join(dir, "a"), path.join(dir, "a"));
      expect(isIdentical(same)).toBe(true);
      expect(renderComparison("cfg", same)).toBe("cfg: identical (2 stacks)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
