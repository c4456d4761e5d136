import { readdirSync } from "node:fs";
import * as path from "node:path";
import type { Rule } from "../../../../checks/engine";
import { RULES } from "../../../../checks/rules";

const RULES_DIR = path.join(__dirname, "../../../../checks/rules");

/** Every rules/<service>.ts with the rule lists it exports (index.ts registers, helpers.ts reads). */
const ruleFiles = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "helpers.ts")
  .map((f) => {
    const exported = Object.values(require(path.join(RULES_DIR, f)) as Record<string, unknown>);
    const lists = exported.filter(
      (x): x is Rule[] => Array.isArray(x) && x.length > 0 && x.every((r) => typeof r?.check === "function"),
    );
    return { service: f.replace(/\.ts$/, ""), rules: lists.flat() };
  });

describe("the rule registry (checks/rules/index.ts)", () => {
  it("gives every rule its own id", () => {
    const ids = RULES.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it.each(ruleFiles.map((f) => [f.service, f.service, f.rules] as const))(
    "keeps only %s.* rules in rules/%s.ts, all registered",
    (service, _file, rules) => {
      expect(rules.length).toBeGreaterThan(0);
      expect(rules.map((r) => r.id).filter((id) => !id.startsWith(`${service}.`))).toEqual([]);
      expect(rules.filter((r) => !RULES.includes(r)).map((r) => r.id)).toEqual([]);
    },
  );

  it("registers no rule that lives outside rules/<service>.ts", () => {
    const inFiles = new Set(ruleFiles.flatMap((f) => f.rules));
    expect(RULES.filter((r) => !inFiles.has(r)).map((r) => r.id)).toEqual([]);
  });
});
