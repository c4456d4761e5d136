import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import {
  appTableNames,
  appTablesEnvSchema,
  appTablesFromEnv,
} from "../../../../functions/shared/app-tables-env";
import { athenaToolFromEnv } from "../../../../functions/shared/athena-tool-env";

/** The shared cold start of the application functions and of the Athena tools (no AWS call is made). */
const tablesEnv = {
  ACCOUNTS_TABLE: "finops-accounts",
  BUDGETS_TABLE: "finops-budgets",
  ALLOCATIONS_TABLE: "finops-allocations",
  SPEND_TABLE: "finops-spend",
  INGESTION_RUNS_TABLE: "finops-ingestion-runs",
  SPEND_CARDS_TABLE: "finops-spend-cards",
  BUDGET_CHANGES_TABLE: "finops-budget-changes",
};

describe("appTablesFromEnv", () => {
  const client = new DynamoDBClient({ region: "us-east-1" });
  afterAll(() => client.destroy());

  it("maps the seven table variables to the table roles", () => {
    const { tables } = appTablesFromEnv(undefined, tablesEnv, client);
    expect(tables).toEqual({
      accounts: "finops-accounts",
      budgets: "finops-budgets",
      allocations: "finops-allocations",
      spend: "finops-spend",
      ingestionRuns: "finops-ingestion-runs",
      spendCards: "finops-spend-cards",
      budgetChanges: "finops-budget-changes",
    });
    expect(appTableNames(appTablesEnvSchema.parse(tablesEnv))).toEqual(tables);
  });

  it("parses the function's own variables with the tables", () => {
    const { env } = appTablesFromEnv(
      { TIME_ZONE: z.string().min(1), LIMIT: z.coerce.number() },
      { ...tablesEnv, TIME_ZONE: "Europe/Berlin", LIMIT: "5" },
      client,
    );
    expect(env.TIME_ZONE).toBe("Europe/Berlin");
    expect(env.LIMIT).toBe(5);
    expect(env.SPEND_CARDS_TABLE).toBe("finops-spend-cards");
  });

  it("fails the cold start naming every missing or bad variable, its own included", () => {
    const { BUDGETS_TABLE: _b, ...withoutBudgets } = tablesEnv;
    expect(() =>
      appTablesFromEnv({ TIME_ZONE: z.string().min(1) }, { ...withoutBudgets, SPEND_TABLE: "x" }, client),
    ).toThrow(/BUDGETS_TABLE: .*; SPEND_TABLE: .*; TIME_ZONE: .*re-deploy the admin stack/);
  });

  it("gives a document client over the given client that drops undefined attributes", () => {
    const { ddb } = appTablesFromEnv(undefined, tablesEnv, client);
    expect(ddb.config.translateConfig?.marshallOptions?.removeUndefinedValues).toBe(true);
  });
});

describe("athenaToolFromEnv", () => {
  const env = { ATHENA_WORKGROUP: "finops-cur", GLUE_DATABASE: "finops_cur", CUR_TABLE: "cur2" };

  it("returns the validated database and table and an Athena engine", () => {
    const { engine, database, table } = athenaToolFromEnv({}, env);
    expect([engine.kind, database, table]).toEqual(["athena", "finops_cur", "cur2"]);
  });

  it("refuses a table name that is not a safe Athena identifier, naming the variable", () => {
    expect(() => athenaToolFromEnv({}, { ...env, CUR_TABLE: "cur2; drop table x" })).toThrow(/CUR_TABLE/);
    expect(() => athenaToolFromEnv({}, { ...env, GLUE_DATABASE: "select" })).toThrow(/GLUE_DATABASE/);
  });

  it("fails without the workgroup, naming it", () => {
    const { ATHENA_WORKGROUP: _w, ...rest } = env;
    expect(() => athenaToolFromEnv({}, rest)).toThrow(/ATHENA_WORKGROUP/);
  });
});
