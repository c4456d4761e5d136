import { isDataStore } from "../../../contracts/data-stores";
import { renderMarkdown } from "../../../deploy/plan-markdown";
import { stackNameFromPath, summarizePlans, toSummaryJson } from "../../../deploy/plan-summary";
import { loadPlan, memberStack, STACKS, stackPlan } from "./fixtures";

describe("data stores", () => {
  it.each([
    "aws_s3_bucket",
    "aws_dynamodb_table",
    "aws_kms_key",
    "aws_cloudwatch_log_group",
    "aws_glue_catalog_table",
  ])("counts %s as a data store", (type) => {
    expect(isDataStore(type)).toBe(true);
  });

  it.each(["aws_s3_object", "aws_s3_bucket_versioning", "aws_iam_role", "aws_lambda_function", "toString"])(
    "does not count %s as a data store",
    (type) => {
      expect(isDataStore(type)).toBe(false);
    },
  );
});

describe("summarizePlans on recorded terraform plans", () => {
  it("counts every action of a recorded plan with create, update, replace, delete, read and no-op", () => {
    const [stack] = summarizePlans([
      { plan: loadPlan("recorded/mixed-actions"), source: "mixed-actions.json" },
    ]).stacks;
    expect(stack.counts).toEqual({
      create: 1,
      update: 1,
      replace: 1,
      delete: 1,
      read: 1,
      "no-op": 1,
      forget: 0,
      "create-forget": 0,
    });
    expect(stack.status).toBe("changes");
    expect(stack.changes.map((c) => [c.action, c.address])).toEqual([
      ["delete", "terraform_data.retired"],
      ["replace", "terraform_data.rebuilt"],
      ["update", "terraform_data.tuned"],
      ["create", "terraform_data.added"],
      ["read", "data.terraform_remote_state.late"],
    ]);
    expect(stack.changes.some((c) => c.dataStore)).toBe(false);
    expect(stack.outputChanges).toBe(1);
    expect(stack.terraformVersion).toBe("1.11.4");
  });

  it("counts a create-before-destroy replacement as one replace", () => {
    const [stack] = summarizePlans([{ plan: loadPlan("recorded/replace-create-before-destroy") }]).stacks;
    expect(stack.counts.replace).toBe(1);
    expect(stack.counts.create + stack.counts.delete).toBe(0);
  });

  it("reports a plan with only no-ops and unchanged outputs as no changes", () => {
    const [stack] = summarizePlans([{ plan: loadPlan("recorded/noop") }]).stacks;
    expect(stack.status).toBe("no-changes");
    expect(stack.changes).toEqual([]);
    expect(stack.counts["no-op"]).toBe(4);
  });

  it("counts a destroy plan (a retired account) as destroys only", () => {
    const [stack] = summarizePlans([{ plan: loadPlan("recorded/destroy-all") }]).stacks;
    expect(stack.counts).toMatchObject({ create: 0, update: 0, replace: 0, delete: 4 });
  });
});

describe("data-store flags", () => {
  it("flags a deleted bucket and a replaced table, not an updated log group or an untouched key", () => {
    const summary = summarizePlans([stackPlan("member-dev")]);
    expect(summary.dataStoreLosses).toEqual([
      {
        stack: "member-dev",
        accountId: "333333333333",
        accountName: "dev",
        address: "aws_s3_bucket.cur_archive",
        type: "aws_s3_bucket",
        action: "delete",
      },
      {
        stack: "member-dev",
        accountId: "333333333333",
        accountName: "dev",
        address: "aws_dynamodb_table.spend",
        type: "aws_dynamodb_table",
        action: "replace",
      },
    ]);
    const logGroup = summary.stacks[0].changes.find((c) => c.type === "aws_cloudwatch_log_group");
    expect(logGroup).toMatchObject({ action: "update", dataStore: true, dataStoreLoss: false });
    expect(summary.stacks[0].status).toBe("data-store-loss");
  });

  it("flags a create-before-destroy replacement of a KMS key", () => {
    const summary = summarizePlans([stackPlan("payer")]);
    expect(summary.dataStoreLosses.map((l) => [l.address, l.action])).toEqual([
      ["aws_kms_key.cur", "replace"],
    ]);
  });

  it("does not flag the same actions on resources that hold no data", () => {
    const summary = summarizePlans([stackPlan("admin")]);
    expect(summary.dataStoreLosses).toEqual([]);
    expect(summary.stacks[0].status).toBe("changes");
  });
});

describe("stack order", () => {
  it("puts changed stacks first, each group in deployment order (admin, payer, members in input order)", () => {
    const summary = summarizePlans([
      { plan: loadPlan("recorded/noop"), stack: memberStack(1) },
      stackPlan("member-prod"),
      stackPlan("member-dev"),
      { plan: loadPlan("recorded/create"), stack: memberStack(2) },
      stackPlan("payer"),
      stackPlan("admin"),
    ]);
    expect(summary.stacks.map((s) => s.stack)).toEqual([
      "admin",
      "payer",
      "member-dev",
      "member-m002",
      "member-m001",
      "member-prod",
    ]);
    expect(summary.totals).toMatchObject({ stacks: 6, changedStacks: 4 });
  });

  it("refuses the same stack twice, naming both sources", () => {
    expect(() => summarizePlans([stackPlan("admin"), stackPlan("admin")])).toThrow(
      'stack "admin" is summarized twice (also from derived/admin.json)',
    );
  });
});

describe("bare plan files", () => {
  it.each([
    ["plans/member-dev.json", "member-dev"],
    ["plans/member-dev.tfplan.json", "member-dev"],
    ["cdktf.out/stacks/member-dev/plan.json", "member-dev"],
    ["/tmp/x/payer/tfplan.json", "payer"],
  ])("names the stack of %s %s", (file, stack) => {
    expect(stackNameFromPath(file)).toBe(stack);
  });

  it("says account unknown for a plan without stack info", () => {
    const summary = summarizePlans([{ plan: loadPlan("derived/member-dev"), source: "out/member-dev.json" }]);
    expect(summary.stacks[0]).toMatchObject({ stack: "member-dev", kind: "member", accountId: null });
    expect(renderMarkdown(summary)).toContain("| `member-dev` | account unknown |");
  });
});

describe("toSummaryJson", () => {
  it("gives a versioned, JSON-safe summary with totals, losses and every stack", () => {
    const json = toSummaryJson(summarizePlans([stackPlan("member-dev"), stackPlan("member-prod")]));
    expect(json.schemaVersion).toBe(1);
    expect(json.kind).toBe("finops-landing/plan-summary");
    expect(json.totals).toMatchObject({ stacks: 2, changedStacks: 1, create: 1, replace: 1, delete: 1 });
    expect(json.dataStoreLosses).toHaveLength(2);
    expect(json.stacks[1]).toMatchObject({
      stack: "member-prod",
      accountName: STACKS["member-prod"].accountName,
      status: "no-changes",
      driftedResources: ["aws_s3_bucket.logs"],
    });
    expect(json.stacks[0]).not.toHaveProperty("order");
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
