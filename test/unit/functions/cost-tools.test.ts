/**
 * The cost tools' Lambda logic. Cost Explorer and Athena cannot run here (moto has no Cost Explorer
 * and does not execute SQL), so their clients are recording fakes; what is checked is what reaches
 * them and what the caller gets back. The SQL guard is the real one, bundled as the Lambda bundles it.
 */
import type { CostExplorerClient } from "@aws-sdk/client-cost-explorer";
import { toolNameOf } from "../../../functions/shared/tool-name";
import { athenaToolJsonSchema, MAX_ROWS, runAthenaTool } from "../../../functions/tool-athena/tool";
import { COST_EXPLORER_TOOLS, runCostExplorerTool } from "../../../functions/tool-cost-explorer/tool";
import { runCurSummaryTool } from "../../../functions/tool-cur-summary/tool";
import { loadBundledSqlGuard } from "../../support/bundled-sql-guard";

function fakeCe(reply: unknown | Error) {
  const sent: { name: string; input: unknown }[] = [];
  const client = {
    send: async (cmd: { constructor: { name: string }; input: unknown }) => {
      sent.push({ name: cmd.constructor.name, input: cmd.input });
      if (reply instanceof Error) throw reply;
      return reply;
    },
  } as unknown as CostExplorerClient;
  return { client, sent };
}

function fakeEngine(rows: Record<string, string | number>[] | Error) {
  const queries: { sql: string; params: readonly string[] }[] = [];
  return {
    queries,
    engine: {
      async query(sql: string, params: readonly string[]) {
        queries.push({ sql, params });
        if (rows instanceof Error) throw rows;
        return rows;
      },
    },
  };
}

describe("the Cost Explorer tool", () => {
  it("sends exactly the allowlisted request and returns the results", async () => {
    const { client, sent } = fakeCe({ ResultsByTime: [{ TimePeriod: { Start: "2026-01-01" } }] });
    const out = await runCostExplorerTool(
      client,
      "get_cost_and_usage",
      {
        start: "2026-01-01",
        end: "2026-02-01",
        granularity: "MONTHLY",
        metrics: ["UnblendedCost"],
        groupBy: [{ type: "DIMENSION", key: "SERVICE" }],
      },
      "2026-03-10",
    );
    expect(out).toEqual({
      result: { resultsByTime: [{ TimePeriod: { Start: "2026-01-01" } }], dimensionValueAttributes: [] },
    });
    expect(sent).toEqual([
      {
        name: "GetCostAndUsageCommand",
        input: {
          TimePeriod: { Start: "2026-01-01", End: "2026-02-01" },
          Granularity: "MONTHLY",
          Metrics: ["UnblendedCost"],
          GroupBy: [{ Type: "DIMENSION", Key: "SERVICE" }],
        },
      },
    ]);
  });

  it("refuses a bad input before any call, with only the message", async () => {
    const { client, sent } = fakeCe({});
    const out = await runCostExplorerTool(
      client,
      "get_cost_and_usage",
      { start: "2026-02-30" },
      "2026-03-10",
    );
    expect(out).toEqual({ error: expect.stringMatching(/^start: /) });
    expect(sent).toEqual([]);
  });

  it("returns an AWS error's message only, and names the tools for an unknown one", async () => {
    const { client } = fakeCe(
      Object.assign(new Error("User not enabled for cost explorer access"), {
        $metadata: { requestId: "r" },
      }),
    );
    const out = await runCostExplorerTool(
      client,
      "get_cost_forecast",
      { start: "2026-03-10", end: "2026-04-01", granularity: "MONTHLY", metric: "UnblendedCost" },
      "2026-03-10",
    );
    expect(out).toEqual({ error: "User not enabled for cost explorer access" });
    expect(await runCostExplorerTool(client, "delete_everything", {}, "2026-03-10")).toEqual({
      error: 'unknown tool "delete_everything"; tools are get_cost_and_usage, get_cost_forecast',
    });
  });

  it("publishes an input schema per tool", () => {
    expect(COST_EXPLORER_TOOLS.get_cost_and_usage.inputSchema).toMatchObject({ type: "object" });
    expect(COST_EXPLORER_TOOLS.get_cost_forecast.inputSchema).toMatchObject({ type: "object" });
  });
});

describe("the Athena tool", () => {
  const { checkReadOnlySql } = loadBundledSqlGuard();

  it("runs one read-only statement and caps the rows", async () => {
    const rows = Array.from({ length: MAX_ROWS + 5 }, (_, i) => ({ n: i }));
    const { engine, queries } = fakeEngine(rows);
    const out = await runAthenaTool(
      { engine, check: checkReadOnlySql },
      { sql: "SELECT n FROM cur2 LIMIT 2000" },
    );
    expect(out).toMatchObject({ result: { kind: "SELECT", truncated: true } });
    expect((out as { result: { rows: unknown[] } }).result.rows).toHaveLength(MAX_ROWS);
    expect(queries).toEqual([{ sql: "SELECT n FROM cur2 LIMIT 2000", params: [] }]);
  });

  it.each([
    "DROP TABLE cur2",
    "SELECT 1; DELETE FROM cur2",
    "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
    "EXPLAIN ANALYZE SELECT 1",
    "UNLOAD (SELECT 1) TO 's3://b/' WITH (format = 'PARQUET')",
  ])("refuses %s without running anything", async (sql) => {
    const { engine, queries } = fakeEngine([]);
    const out = await runAthenaTool({ engine, check: checkReadOnlySql }, { sql });
    expect(out).toEqual({ error: expect.stringMatching(/^refused \(/) });
    expect(queries).toEqual([]);
  });

  it("rejects input that is not { sql } and passes an engine error's message through", async () => {
    const { engine } = fakeEngine(new Error("Query exhausted resources: bytes scanned limit"));
    expect(await runAthenaTool({ engine, check: checkReadOnlySql }, { query: "SELECT 1" })).toEqual({
      error: expect.stringContaining("sql: must be one read-only SQL statement as a string"),
    });
    expect(await runAthenaTool({ engine, check: checkReadOnlySql }, { sql: "SELECT 1" })).toEqual({
      error: "Query exhausted resources: bytes scanned limit",
    });
    expect(athenaToolJsonSchema).toMatchObject({ required: ["sql"], additionalProperties: false });
  });
});

describe("the CUR summary tool", () => {
  it("runs the named predefined query for the month as a bound parameter", async () => {
    const { engine, queries } = fakeEngine([{ service: "AmazonEC2", cost: 12 }]);
    const out = await runCurSummaryTool(engine, "cur2", { month: "2026-01", query: "spend_by_service" });
    expect(out).toEqual({
      result: { query: "spend_by_service", month: "2026-01", rows: [{ service: "AmazonEC2", cost: 12 }] },
    });
    expect(queries[0]?.params).toEqual(["2026-01"]);
    expect(queries[0]?.sql).toContain("cur2");
  });

  it("refuses a bad month or an unknown query before running anything", async () => {
    const { engine, queries } = fakeEngine([]);
    expect(await runCurSummaryTool(engine, "cur2", { month: "2026-1", query: "spend_by_service" })).toEqual({
      error: expect.stringMatching(/^month: /),
    });
    expect(await runCurSummaryTool(engine, "cur2", { month: "2026-01", query: "drop" })).toEqual({
      error: expect.stringMatching(/^query: /),
    });
    expect(queries).toEqual([]);
  });
});

describe("toolNameOf", () => {
  it("reads the AgentCore gateway's tool name from the client context, without the target prefix", () => {
    expect(
      toolNameOf({
        clientContext: { custom: { bedrockAgentCoreToolName: "cost-explorer___get_cost_forecast" } },
      }),
    ).toBe("get_cost_forecast");
    expect(
      toolNameOf({ clientContext: { Custom: { bedrockAgentCoreToolName: "get_cost_and_usage" } } }),
    ).toBe("get_cost_and_usage");
    expect(toolNameOf({})).toBeUndefined();
  });
});
