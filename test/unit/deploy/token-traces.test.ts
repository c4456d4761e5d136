import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * deploy/token-traces.ts turns off cdktf's per-token stack trace capture (memory and time at
 * thousands of members: bench/results/synth.md against synth-token-traces-on.md). Each case runs in its own module
 * registry (jest.isolateModules), because the switch patches a cdktf module for the process.
 */

type Synth = typeof import("../../../deploy/synth");
type Traces = typeof import("../../../deploy/token-traces");
type Intrinsic = new (value: unknown) => { creationStack: string[] };

const ROOT = path.join(__dirname, "../../..");
const work = mkdtempSync(path.join(os.tmpdir(), "finops-token-traces-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function isolated<T>(fn: () => T): T {
  let out: T | undefined;
  jest.isolateModules(() => {
    out = fn();
  });
  return out as T;
}

const intrinsic = (): Intrinsic =>
  (require("cdktf/lib/tokens/private/intrinsic") as { Intrinsic: Intrinsic }).Intrinsic;

describe("cdktf token stack traces", () => {
  it("cdktf captures one per token unless switched off (the patched private module is still where the pinned cdktf has it)", () => {
    const before = isolated(() => new (intrinsic())("x").creationStack);
    expect(before.length).toBeGreaterThan(3);
    const after = isolated(() => {
      const traces = require("../../../deploy/token-traces") as Traces;
      expect(traces.disableTokenStackTraces({})).toBe(true);
      return new (intrinsic())("x").creationStack;
    });
    expect(after).toEqual([]);
  });

  it("FINOPS_TOKEN_TRACES=on keeps them, for debugging a resolution error", () => {
    const kept = isolated(() => {
      const traces = require("../../../deploy/token-traces") as Traces;
      expect(traces.disableTokenStackTraces({ [traces.TOKEN_TRACES_ENV]: "on" })).toBe(false);
      return new (intrinsic())("x").creationStack;
    });
    expect(kept.length).toBeGreaterThan(3);
  });

  it("synthesizes the same stacks with the traces on and off (accounts/local.yaml)", () => {
    const synthInto = (dir: string, traces: "on" | "off") =>
      isolated(() => {
        const saved = process.env.FINOPS_TOKEN_TRACES;
        process.env.FINOPS_TOKEN_TRACES = traces;
        try {
          const { loadAccountConfig } =
            require("../../../config/load") as typeof import("../../../config/load");
          const { targetFor } = require("../../../config/target") as typeof import("../../../config/target");
          const { synthLanding } = require("../../../deploy/synth") as Synth;
          const config = loadAccountConfig(path.join(ROOT, "accounts/local.yaml"));
          synthLanding(config, dir, targetFor(config, { FINOPS_LOCAL_DIR: path.join(work, ".local") }));
          return new (intrinsic())("x").creationStack.length;
        } finally {
          if (saved === undefined) delete process.env.FINOPS_TOKEN_TRACES;
          else process.env.FINOPS_TOKEN_TRACES = saved;
        }
      });
    // One output directory for both (rewritten), so even the local backend's paths are the same bytes.
    const out = path.join(work, "synth");
    expect(synthInto(out, "on")).toBeGreaterThan(3);
    const read = () =>
      Object.fromEntries(
        readdirSync(path.join(out, "stacks"))
          .sort()
          .map((s) => [s, readFileSync(path.join(out, "stacks", s, "cdk.tf.json"), "utf8")]),
      );
    const withTraces = read();
    expect(synthInto(out, "off")).toBe(0);
    const without = read();
    expect(Object.keys(without)).toEqual(Object.keys(withTraces));
    expect(Object.keys(without).length).toBeGreaterThan(4);
    for (const stack of Object.keys(without)) expect(without[stack]).toBe(withTraces[stack]);
  });
});
