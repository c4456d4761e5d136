import { checkPlanGuard } from "../../../deploy/plan-guard";
import { summarizePlans } from "../../../deploy/plan-summary";
import { stackPlan } from "./fixtures";

describe("checkPlanGuard", () => {
  const losing = summarizePlans([stackPlan("admin"), stackPlan("member-dev"), stackPlan("payer")]);
  const safe = summarizePlans([stackPlan("admin"), stackPlan("member-prod")]);

  it("passes plans that destroy or replace no data store", () => {
    const result = checkPlanGuard(safe, { env: {} });
    expect(result).toMatchObject({ ok: true, offenders: [], allowedBy: null });
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

  it("passes when the option allows data-store destroys, still listing them", () => {
    const result = checkPlanGuard(losing, { allowDataStoreDestroy: true, env: {} });
    expect(result).toMatchObject({ ok: true, allowedBy: "option" });
    expect(result.message).toContain("allowed by --allow-data-store-destroy");
    expect(result.message).toContain("aws_dynamodb_table.spend would be replaced");
  });

  it.each(["true", "TRUE", " true "])("passes when FINOPS_ALLOW_DATA_STORE_DESTROY is %j", (value) => {
    const result = checkPlanGuard(losing, { env: { FINOPS_ALLOW_DATA_STORE_DESTROY: value } });
    expect(result).toMatchObject({ ok: true, allowedBy: "env" });
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
