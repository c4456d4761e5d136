import { isDataStore } from "../../../contracts/data-stores";
import {
  classifyActions,
  PlanFormatError,
  parsePlan,
  renderMarkdown,
  stackNameFromPath,
  summarizePlans,
  toSummaryJson,
} from "../../../deploy/plan-summary";
import { loadPlan, STACKS, stackPlan } from "./fixtures";

function memberStack(i: number) {
  const name = `m${String(i).padStart(3, "0")}`;
  return {
    stack: `member-${name}`,
    kind: "member" as const,
    accountId: String(100000000000 + i),
    accountName: name,
    regions: ["eu-west-1"],
  };
}

describe("classifyActions", () => {
  it.each([
    [["create"], "create"],
    [["update"], "update"],
    [["delete", "create"], "replace"],
    [["create", "delete"], "replace"],
    [["delete"], "delete"],
    [["read"], "read"],
    [["no-op"], "no-op"],
    [["forget"], "forget"],
  ])("maps %j to %s", (actions, expected) => {
    expect(classifyActions(actions)).toBe(expected);
  });

  it("refuses an action list Terraform does not emit", () => {
    expect(() => classifyActions(["create", "update"])).toThrow('unknown change.actions ["create","update"]');
  });
});

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

describe("parsePlan", () => {
  it("names the file and the missing format_version", () => {
    expect(() => parsePlan(loadPlan("invalid/missing-format-version"), "a.json")).toThrow(
      new PlanFormatError("a.json", "not a terraform show -json plan: missing format_version"),
    );
  });

  it("recognizes a state document and says how to get the plan", () => {
    expect(() => parsePlan(loadPlan("invalid/state-not-plan"), "s.json")).toThrow(
      "s.json: not a terraform show -json plan: this is a state",
    );
  });

  it("refuses a plan format other than 1.x", () => {
    expect(() => parsePlan({ format_version: "2.0", resource_changes: [] }, "p.json")).toThrow(
      'p.json: unsupported format_version "2.0"',
    );
  });

  it.each([
    [[], "expected a JSON object, got a list"],
    [{ format_version: "1.2", resource_changes: {} }, "resource_changes is not a list"],
    [{ format_version: "1.2", resource_changes: [{ type: "x", change: { actions: [] } }] }, "has no address"],
    [
      { format_version: "1.2", resource_changes: [{ address: "a.b", type: "a", change: {} }] },
      "resource_changes[0] (a.b) has no change.actions list",
    ],
    [
      {
        format_version: "1.2",
        resource_changes: [{ address: "a.b", type: "a", change: { actions: ["x"] } }],
      },
      'resource_changes[0] (a.b): unknown change.actions ["x"]',
    ],
  ])("refuses %j: %s", (json, message) => {
    expect(() => parsePlan(json, "p.json")).toThrow(message);
  });

  it("accepts a plan without resource_changes (an empty configuration)", () => {
    const [stack] = summarizePlans([{ plan: { format_version: "1.2" }, source: "empty.json" }]).stacks;
    expect(stack.status).toBe("no-changes");
  });
});

describe("renderMarkdown", () => {
  const summary = summarizePlans([
    stackPlan("member-prod"),
    stackPlan("member-dev"),
    stackPlan("payer"),
    stackPlan("admin"),
  ]);
  const md = renderMarkdown(summary);

  it("opens with a warning that lists every data-store loss with stack, account and address", () => {
    const warning = md.slice(0, md.indexOf("| Stack |"));
    expect(warning).toContain("[!CAUTION]");
    expect(warning).toContain("3 data stores would be destroyed or replaced");
    expect(warning).toContain("`member-dev` · dev (333333333333): `aws_s3_bucket.cur_archive` — **destroy**");
    expect(warning).toContain("`member-dev` · dev (333333333333): `aws_dynamodb_table.spend` — **replace**");
    expect(warning).toContain("`payer` · payer (111111111111): `aws_kms_key.cur` — **replace**");
  });

  it("has one table row per changed stack with account, regions and counts", () => {
    expect(md).toContain(
      "| `admin` | cloudops (222222222222) | us-east-1, eu-west-1 | 1 | 1 | 1 | 1 | changes |",
    );
    expect(md).toContain("| `payer` | payer (111111111111) | us-east-1 | 0 | 0 | 1 | 0 | ⛔ destroys data |");
    expect(md).toContain(
      "| `member-dev` | dev (333333333333) | eu-west-1 | 1 | 1 | 1 | 1 | ⛔ destroys data |",
    );
    expect(md).not.toContain("| `member-prod` |");
  });

  it("collapses the unchanged stack into one line and mentions its drift", () => {
    expect(md).toContain("**No changes** in 1 stack: `member-prod`. Drift detected outside Terraform");
    expect(md).not.toContain("<code>member-prod</code>");
  });

  it("lists each changed stack's addresses and actions in a details section, data stores marked", () => {
    const details = md.slice(md.indexOf("<details><summary><code>member-dev</code>"));
    expect(details).toContain("- **destroy** `aws_s3_bucket.cur_archive` ⛔ data store");
    expect(details).toContain("- **update** `aws_cloudwatch_log_group.audit`\n");
    expect(details).toContain("- **create** `aws_iam_role.reader`");
    expect(md.match(/<details><summary><code>/g)).toHaveLength(3);
  });

  it("says no warning when nothing holds data", () => {
    expect(renderMarkdown(summarizePlans([stackPlan("admin")]))).not.toContain("CAUTION");
  });

  it("says the loss was allowed when the guard's opt-in is set", () => {
    expect(renderMarkdown(summary, { dataStoreDestroyAllowed: true })).toContain("Allowed explicitly");
  });

  it("stays readable at 100 stacks: 3 table rows and the 97 unchanged stacks in one collapsed list", () => {
    const inputs = [
      stackPlan("admin"),
      stackPlan("payer"),
      ...Array.from({ length: 97 }, (_, i) => ({ plan: loadPlan("recorded/noop"), stack: memberStack(i) })),
      stackPlan("member-dev"),
    ];
    const big = renderMarkdown(summarizePlans(inputs));
    expect(big).toContain("### Terraform plan: 3 of 100 stacks change");
    expect(big.match(/^\| `/gm)).toHaveLength(3);
    expect(big).toContain("<details><summary><b>No changes</b> in 97 stacks</summary>");
    expect(big.length).toBeLessThan(8000);
  });

  it("drops the details but keeps the warning and table when the comment would be too long", () => {
    const short = renderMarkdown(summary, { maxLength: 1500 });
    expect(short).toContain("[!CAUTION]");
    expect(short).toContain("| `member-dev` |");
    expect(short).not.toContain("<details><summary><code>");
    expect(short).toContain("Per-stack details left out");
  });

  it("caps the resources listed per stack and points to the JSON", () => {
    const capped = renderMarkdown(summary, { maxResourcesPerStack: 2 });
    expect(capped).toContain("- … and 3 more (see the JSON summary)");
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
