import { Testing } from "cdktf";
import { loadAccountConfig } from "../../../config/load";
import { Names } from "../../../config/naming";
import { type BindableTable, BundledFunction } from "../../../modules/bundled-function";
import type { StackJson } from "../../support/synth";

/**
 * BundledFunction.bindTable (modules/bundled-function/index.ts): the table's variable from
 * contracts/tables.ts, exactly the listed actions, one data-key statement per key after the tables
 * bound to it, and statements in call order. Expected values are written out here.
 */
const names = new Names(loadAccountConfig("accounts/local.yaml"));
const KEY = "arn:aws:kms:us-east-1:222222222222:key/data";
const OTHER_KEY = "arn:aws:kms:us-east-1:222222222222:key/other";
const FUNCTIONS_KEY = "arn:aws:kms:us-east-1:222222222222:key/functions";
const table = (t: BindableTable["table"], kmsKeyArn = KEY): BindableTable => ({
  table: t,
  name: `physical-${t}`,
  arn: `arn:aws:dynamodb:us-east-1:222222222222:table/physical-${t}`,
  kmsKeyArn,
});

function synth(bind: (fn: BundledFunction) => void): {
  env: Record<string, string>;
  statements: StackJson[];
} {
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      const fn = new BundledFunction(scope, "fn", {
        name: "approvals",
        names,
        accountId: "222222222222",
        region: "us-east-1",
        description: "test",
        kmsKeyArn: FUNCTIONS_KEY,
        logRetentionDays: 30,
        asyncDeadLetterQueue: false,
        environment: { OWN: "value" },
        statements: [{ Sid: "Given", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }],
      });
      bind(fn);
    }),
  ) as StackJson;
  const fn = Object.values(json.resource.aws_lambda_function)[0] as StackJson;
  const policy = Object.values(json.resource.aws_iam_role_policy)[0] as StackJson;
  const statements = (JSON.parse(policy.policy).Statement as StackJson[]).filter(
    (s) => !["OwnLogGroup", "XRayTraces", "OwnKeyForEnvironmentAndDlq"].includes(s.Sid),
  );
  return { env: fn.environment.variables, statements };
}

describe("BundledFunction.bindTable", () => {
  it("sets the table's variable and grants exactly the listed actions, then the table key", () => {
    const { env, statements } = synth((fn) =>
      fn.bindTable(table("budget-changes"), ["GetItem", "UpdateItem"]),
    );
    expect(env).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      POWERTOOLS_SERVICE_NAME: "approvals",
      OWN: "value",
      BUDGET_CHANGES_TABLE: "physical-budget-changes",
    });
    expect(statements).toEqual([
      { Sid: "Given", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
      {
        Sid: "TableBudgetChanges",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
        Resource: "arn:aws:dynamodb:us-east-1:222222222222:table/physical-budget-changes",
      },
      {
        Sid: "DataKeyForTables",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        Resource: KEY,
      },
    ]);
  });

  it("grants on the indexes too when asked, and takes a statement id", () => {
    const { statements } = synth((fn) =>
      fn.bindTable(table("accounts"), ["Query"], { indexes: true, sid: "AccountsTable" }),
    );
    expect(statements[1]).toEqual({
      Sid: "AccountsTable",
      Effect: "Allow",
      Action: ["dynamodb:Query"],
      Resource: [
        "arn:aws:dynamodb:us-east-1:222222222222:table/physical-accounts",
        "arn:aws:dynamodb:us-east-1:222222222222:table/physical-accounts/index/*",
      ],
    });
  });

  it("keeps one key statement per key, after the tables bound to it, and later statements after it", () => {
    const { env, statements } = synth((fn) => {
      fn.bindTable(table("spend"), ["Query"]);
      fn.bindTable(table("ingestion-runs"), ["GetItem"]);
      fn.bindTable(table("spend-cards", OTHER_KEY), ["UpdateItem"]);
      fn.bindTable(table("budgets"), ["Scan"]);
      fn.addToPolicy({ Sid: "Later", Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:q" });
    });
    expect(statements.map((s) => [s.Sid, s.Resource])).toEqual([
      ["Given", "arn:aws:s3:::b/*"],
      ["TableSpend", "arn:aws:dynamodb:us-east-1:222222222222:table/physical-spend"],
      ["TableIngestionRuns", "arn:aws:dynamodb:us-east-1:222222222222:table/physical-ingestion-runs"],
      ["TableBudgets", "arn:aws:dynamodb:us-east-1:222222222222:table/physical-budgets"],
      ["DataKeyForTables", KEY],
      ["TableSpendCards", "arn:aws:dynamodb:us-east-1:222222222222:table/physical-spend-cards"],
      ["DataKeyForTables", OTHER_KEY],
      ["Later", "arn:q"],
    ]);
    expect(env).toMatchObject({
      SPEND_TABLE: "physical-spend",
      INGESTION_RUNS_TABLE: "physical-ingestion-runs",
      SPEND_CARDS_TABLE: "physical-spend-cards",
      BUDGETS_TABLE: "physical-budgets",
    });
  });

  it("setTableName sets only the variable and grants nothing", () => {
    const { env, statements } = synth((fn) => fn.setTableName(table("allocations")));
    expect(env.ALLOCATIONS_TABLE).toBe("physical-allocations");
    expect(statements.map((s) => s.Sid)).toEqual(["Given"]);
  });
});
