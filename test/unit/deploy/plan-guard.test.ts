import { checkPlanGuard } from "../../../deploy/plan-guard";
import { summarizePlans } from "../../../deploy/plan-summary";
import { loadPlan, stackPlan } from "./fixtures";

describe("checkPlanGuard", () => {
  /** derived/payer.json is recorded errored (errored: true, complete: false) and replaces a key. */
  const losing = summarizePlans([stackPlan("admin"), stackPlan("member-dev"), stackPlan("payer")]);
  /** Complete, error-free plans that destroy a bucket and replace a table (member-dev). */
  const losingComplete = summarizePlans([stackPlan("admin"), stackPlan("member-dev")]);
  const safe = summarizePlans([stackPlan("admin"), stackPlan("member-prod")]);

  it("passes a clean plan set: every plan complete and error-free, no data store lost", () => {
    const result = checkPlanGuard(safe, { env: {} });
    expect(result).toMatchObject({ ok: true, problems: [], offenders: [], allowedBy: null });
    expect(result.message).toBe(
      "Plan guard: every plan is complete, and no data store is destroyed or replaced.",
    );
  });

  it("fails when a plan destroys or replaces a data store, listing each address", () => {
    const result = checkPlanGuard(losing, { env: {} });
    expect(result.ok).toBe(false);
    expect(result.offenders.map((o) => o.address)).toEqual([
      "aws_kms_key.cur",
      "aws_s3_bucket.cur_archive",
      "aws_dynamodb_table.spend",
    ]);
    expect(result.message).toContain("Plan guard failed: 3 data stores would be destroyed or replaced");
    expect(result.message).toContain(
      "member-dev (dev 333333333333): aws_s3_bucket.cur_archive would be destroyed",
    );
    expect(result.message).toContain("payer (payer 111111111111): aws_kms_key.cur would be replaced");
  });

  it("tells how to opt in when it fails", () => {
    const { message } = checkPlanGuard(losing, { env: {} });
    expect(message).toContain("FINOPS_ALLOW_DATA_STORE_DESTROY=true npm run -s plan:summarize -- --guard");
    expect(message).toContain("--allow-data-store-destroy");
    expect(message).toContain("label");
  });

  it("passes when the option allows data-store destroys in complete plans, still listing them", () => {
    const result = checkPlanGuard(losingComplete, { allowDataStoreDestroy: true, env: {} });
    expect(result).toMatchObject({ ok: true, problems: [], allowedBy: "option" });
    expect(result.message).toContain("allowed by --allow-data-store-destroy");
    expect(result.message).toContain("aws_dynamodb_table.spend would be replaced");
  });

  it.each(["true", "TRUE", " true "])("passes when FINOPS_ALLOW_DATA_STORE_DESTROY is %j", (value) => {
    const result = checkPlanGuard(losingComplete, { env: { FINOPS_ALLOW_DATA_STORE_DESTROY: value } });
    expect(result).toMatchObject({ ok: true, allowedBy: "env" });
  });

  it.each([
    ["the option", { allowDataStoreDestroy: true, env: {} }, "option"],
    ["the env var", { env: { FINOPS_ALLOW_DATA_STORE_DESTROY: "true" } }, "env"],
  ] as const)(
    "fails an errored plan even when %s allows data-store loss, naming the stack and the fix",
    (_how, options, by) => {
      const result = checkPlanGuard(losing, options);
      expect(result).toMatchObject({ ok: false, allowedBy: by });
      expect(result.problems).toEqual([
        "payer (derived/payer.json): the plan errored (errored: true); fix the error and plan again",
        expect.stringContaining("payer (derived/payer.json): the plan is incomplete"),
      ]);
      expect(result.message).toContain("Plan guard failed: 2 plans do not show every change");
      expect(result.message).toContain("No opt-in covers this");
      expect(result.message).toContain("3 data stores will be destroyed or replaced, allowed by");
    },
  );

  it("fails an incomplete plan whatever the opt-in, even with no data store lost", () => {
    const incomplete = summarizePlans([
      stackPlan("admin"),
      { plan: loadPlan("formats/incomplete"), source: "formats/incomplete.json" },
    ]);
    const result = checkPlanGuard(incomplete, { allowDataStoreDestroy: true, env: {} });
    expect(result).toMatchObject({ ok: false, offenders: [], allowedBy: null });
    expect(result.message).toContain(
      "incomplete (formats/incomplete.json): the plan is incomplete (complete: false or deferred_changes), it does not show every change: deferred aws_dynamodb_table.spend (provider_config_unknown); resolve what Terraform deferred",
    );
    expect(result.message).not.toContain("data stores");
  });

  it("lists both when a plan errored and a data store is lost without opt-in", () => {
    const { ok, message } = checkPlanGuard(losing, { env: {} });
    expect(ok).toBe(false);
    expect(message).toContain("the plan errored (errored: true)");
    expect(message).toContain("If this is intended, opt in explicitly");
  });

  it.each(["yes", "1", "false"])(
    "still fails when FINOPS_ALLOW_DATA_STORE_DESTROY is %j, saying why",
    (value) => {
      const result = checkPlanGuard(losing, { env: { FINOPS_ALLOW_DATA_STORE_DESTROY: value } });
      expect(result.ok).toBe(false);
      expect(result.message).toContain(`FINOPS_ALLOW_DATA_STORE_DESTROY is "${value}"; only "true" opts in`);
    },
  );

  it("fails when the env var is empty", () => {
    expect(checkPlanGuard(losing, { env: { FINOPS_ALLOW_DATA_STORE_DESTROY: "" } }).ok).toBe(false);
  });
});
