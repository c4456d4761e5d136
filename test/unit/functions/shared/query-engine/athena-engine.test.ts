/**
 * The Athena adapter of the query engine port (functions/shared/query-engine/athena.ts).
 *
 * MOCK: only the AWS SDK client is replaced, by a fake `send` that records every command and
 * answers with responses shaped like Athena's (StartQueryExecution, GetQueryExecution,
 * GetQueryResults pages). Everything else is the real engine; the SQL it builds is parsed with the
 * real Trino grammar (dt-sql-parser, as the SQL guard bundles it).
 *
 * What the fakes follow (AWS documentation):
 * - GetQueryResults: a DML (SELECT) result's first row on the first page repeats the column names;
 *   DDL and UTILITY results have no such row (DML results are CSV with a header, DDL results plain
 *   text): https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html
 * - QueryExecution.StatementType is DDL | DML | UTILITY (UTILITY: SHOW CREATE TABLE, DESCRIBE
 *   TABLE): https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecution.html
 * - "$path" holds the S3 URI of the row's file, e.g. s3://bucket/prefix/file:
 *   https://docs.aws.amazon.com/athena/latest/ug/select.html#select-path
 * - The query string is at most 262,144 bytes (UTF-8), not adjustable:
 *   https://docs.aws.amazon.com/athena/latest/ug/service-limits.html
 * - Each Datum is a VarCharValue string, absent for NULL; ColumnInfo.Type names the type:
 *   https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html
 */
import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  type GetQueryExecutionOutput,
  GetQueryResultsCommand,
  type GetQueryResultsOutput,
  StartQueryExecutionCommand,
  type StartQueryExecutionInput,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { CurDeliveryError } from "../../../../../functions/shared/cur-delivery-error";
import {
  INVOICE_STATUS,
  SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT,
} from "../../../../../functions/shared/cur-queries";
import {
  ATHENA_MAX_QUERY_BYTES,
  ATHENA_SQL_RESERVE_BYTES,
  AthenaQueryEngine,
  athenaValue,
  deliveryTableReference,
  deliveryUris,
  hasHeaderRow,
} from "../../../../../functions/shared/query-engine/athena";
import { type CurDelivery, QueryFailedError } from "../../../../../functions/shared/query-engine/port";
import { loadBundledTrinoGrammar } from "../../../../support/bundled-sql-guard";

type Sent = { name: string; input: unknown };

interface Script {
  readonly executions?: GetQueryExecutionOutput[];
  readonly pages?: GetQueryResultsOutput[];
}

/** The fake AWS client: records each command, answers from the script. */
function fakeAthena(script: Script) {
  const sent: Sent[] = [];
  const executions = [...(script.executions ?? [])];
  const pages = [...(script.pages ?? [])];
  const client = {
    send: async (command: { input: unknown }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      if (command instanceof StartQueryExecutionCommand) return { QueryExecutionId: "q-1" };
      if (command instanceof GetQueryExecutionCommand) {
        const next = executions.shift();
        if (!next) throw new Error("fake: no GetQueryExecution answer left");
        return next;
      }
      if (command instanceof GetQueryResultsCommand) {
        const next = pages.shift();
        if (!next) throw new Error("fake: no GetQueryResults page left");
        return next;
      }
      if (command instanceof StopQueryExecutionCommand) return {};
      throw new Error(`fake: unexpected ${command.constructor.name}`);
    },
  } as unknown as AthenaClient;
  return { client, sent };
}

const succeeded = (statementType?: "DDL" | "DML" | "UTILITY"): GetQueryExecutionOutput => ({
  QueryExecution: {
    QueryExecutionId: "q-1",
    ...(statementType ? { StatementType: statementType } : {}),
    Status: { State: "SUCCEEDED" },
  },
});
const running: GetQueryExecutionOutput = {
  QueryExecution: { QueryExecutionId: "q-1", StatementType: "DML", Status: { State: "RUNNING" } },
};

const row = (...values: (string | undefined)[]) => ({
  Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
});
const page = (
  columns: ColumnInfo[],
  rows: ReturnType<typeof row>[],
  nextToken?: string,
): GetQueryResultsOutput => ({
  ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: rows },
  ...(nextToken ? { NextToken: nextToken } : {}),
});

function engine(client: AthenaClient) {
  return new AthenaQueryEngine({
    athena: client,
    workgroup: "finops-cur",
    database: "finops_cur",
    table: "cur2",
    sleep: async () => undefined,
  });
}

const delivery = (over: Partial<CurDelivery> = {}): CurDelivery => ({
  billingPeriod: "2026-01",
  bucket: "finops-cur-replica",
  dataKeys: [
    "cur/finops-cur/data/BILLING_PERIOD=2026-01/finops-cur-00001.snappy.parquet",
    "cur/finops-cur/data/BILLING_PERIOD=2026-01/finops-cur-00002.snappy.parquet",
  ],
  columns: [],
  ...over,
});

/** The string literals of the `"$path" IN (...)` list of a query string, unescaped. */
function pathList(queryString: string): string[] {
  const m = /"\$path" IN \(((?:'(?:[^']|'')*'(?:, )?)+)\)/.exec(queryString);
  if (!m) throw new Error(`no "$path" IN (...) in ${queryString.slice(0, 200)}`);
  return [...m[1]!.matchAll(/'((?:[^']|'')*)'/g)].map((x) => x[1]!.replace(/''/g, "'"));
}

const SPEND_COLUMNS: ColumnInfo[] = [
  { Name: "account_id", Type: "varchar" },
  { Name: "usage_date", Type: "varchar" },
  { Name: "unblended_cost", Type: "decimal(38,6)" },
  { Name: "line_items", Type: "bigint" },
];

describe("GetQueryResults: header row only for DML", () => {
  it("drops the first row of the first page only, across NextToken pages, and types values from ColumnInfo", async () => {
    const { client, sent } = fakeAthena({
      executions: [running, succeeded("DML")],
      pages: [
        page(
          SPEND_COLUMNS,
          [
            row("account_id", "usage_date", "unblended_cost", "line_items"),
            row("111111111111", "2026-01-01", "12.500000", "3"),
            row("111111111111", "2026-01-02", "123450000.000000", "9007199254740993"),
          ],
          "token-2",
        ),
        // A later page starts with data: the header is on the first page only.
        page(SPEND_COLUMNS, [
          row("account_id", "2026-01-03", "0.000001", "1"),
          row("222222222222", "2026-01-01", undefined, "0"),
        ]),
      ],
    });
    const rows = await engine(client).query(SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT, ["2026-01"]);

    // The exact query's money columns are DECIMAL(38,6): kept as their exact text.
    expect(rows).toEqual([
      { account_id: "111111111111", usage_date: "2026-01-01", unblended_cost: "12.500000", line_items: 3 },
      {
        account_id: "111111111111",
        usage_date: "2026-01-02",
        unblended_cost: "123450000.000000",
        line_items: "9007199254740993",
      },
      { account_id: "account_id", usage_date: "2026-01-03", unblended_cost: "0.000001", line_items: 1 },
      { account_id: "222222222222", usage_date: "2026-01-01", unblended_cost: null, line_items: 0 },
    ]);
    expect(sent.map((s) => s.name)).toEqual([
      "StartQueryExecutionCommand",
      "GetQueryExecutionCommand",
      "GetQueryExecutionCommand",
      "GetQueryResultsCommand",
      "GetQueryResultsCommand",
    ]);
    expect(sent[3]!.input).toEqual({ QueryExecutionId: "q-1", NextToken: undefined });
    expect(sent[4]!.input).toEqual({ QueryExecutionId: "q-1", NextToken: "token-2" });
  });

  it.each([
    ["UTILITY", "DESCRIBE cur2"],
    ["DDL", "SHOW TABLES"],
  ] as const)("keeps the first row of a %s result (%s): it has no header row", async (statementType, sql) => {
    const { client } = fakeAthena({
      executions: [succeeded(statementType)],
      pages: [
        page(
          [{ Name: "col_name", Type: "string" }],
          [row("bill_invoice_id      \tstring"), row("line_item_unblended_cost\tdouble")],
        ),
      ],
    });

    expect(await engine(client).query(sql, [])).toEqual([
      { col_name: "bill_invoice_id      \tstring" },
      { col_name: "line_item_unblended_cost\tdouble" },
    ]);
  });

  it("keeps a DDL result's first row even when it reads like the column name", async () => {
    const { client } = fakeAthena({
      executions: [succeeded("DDL")],
      pages: [page([{ Name: "tab_name", Type: "string" }], [row("tab_name"), row("cur2")])],
    });

    expect(await engine(client).query("SHOW TABLES", [])).toEqual([
      { tab_name: "tab_name" },
      { tab_name: "cur2" },
    ]);
  });

  it("without a StatementType, takes the first row for a header only when it repeats the column names", () => {
    expect(hasHeaderRow(undefined, ["a", "b"], ["a", "b"])).toBe(true);
    expect(hasHeaderRow(undefined, ["a", "b"], ["1", "b"])).toBe(false);
    expect(hasHeaderRow(undefined, ["a"], undefined)).toBe(false);
    expect(hasHeaderRow("DML", ["a"], ["1"])).toBe(true);
    expect(hasHeaderRow("UTILITY", ["a"], ["a"])).toBe(false);
  });
});

describe("values from VarCharValue and ColumnInfo.Type", () => {
  it.each([
    [undefined, "double", null],
    ["42", "integer", 42],
    ["-7", "smallint", -7],
    ["123", "bigint", 123],
    ["9007199254740993", "bigint", "9007199254740993"],
    ["12.345678", "double", 12.345678],
    ["1.2345678901E10", "double", 12345678901],
    ["-0.5", "real", -0.5],
    ["NaN", "double", "NaN"],
    ["Infinity", "double", "Infinity"],
    ["12345678901234567.123456", "decimal(38,6)", "12345678901234567.123456"],
    ["0.10", "decimal", "0.10"],
    ["true", "boolean", true],
    ["false", "boolean", false],
    ["2026-01-31", "date", "2026-01-31"],
    ["2026-01-31 00:00:00.000", "timestamp", "2026-01-31 00:00:00.000"],
    ["{a=1}", "map", "{a=1}"],
    ["", "varchar", ""],
  ])("%j as %s is %j", (raw, type, expected) => {
    expect(athenaValue(raw, type, "c")).toEqual(expected);
  });

  it.each([
    ["", "double"],
    ["abc", "bigint"],
    ["1.5", "integer"],
    ["yes", "boolean"],
    ["1,5", "decimal(10,2)"],
  ])("%j as %s is an error naming the column", (raw, type) => {
    expect(() => athenaValue(raw, type, "unblended_cost")).toThrow(QueryFailedError);
    expect(() => athenaValue(raw, type, "unblended_cost")).toThrow(/column unblended_cost/);
  });
});

describe('only the delivery\'s files: the "$path" filter', () => {
  const { parseTrino } = loadBundledTrinoGrammar();

  it("sends exactly the delivery's s3:// URIs (quotes escaped) in StartQueryExecution's QueryString", async () => {
    const keys = [
      "cur/finops-cur/data/BILLING_PERIOD=2026-01/finops-cur-00001.snappy.parquet",
      "cur/finops-cur/data/BILLING_PERIOD=2026-01/it's-00002.snappy.parquet",
    ];
    const { client, sent } = fakeAthena({
      executions: [succeeded("DML")],
      pages: [page(SPEND_COLUMNS, [row("account_id", "usage_date", "unblended_cost", "line_items")])],
    });
    const e = engine(client);
    expect(await e.attach(delivery({ dataKeys: keys }))).toBeUndefined();
    await e.query(SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT, ["2026-01"]);

    const input = sent[0]!.input as StartQueryExecutionInput;
    expect(pathList(input.QueryString!)).toEqual([
      "s3://finops-cur-replica/cur/finops-cur/data/BILLING_PERIOD=2026-01/finops-cur-00001.snappy.parquet",
      "s3://finops-cur-replica/cur/finops-cur/data/BILLING_PERIOD=2026-01/it's-00002.snappy.parquet",
    ]);
    expect(input.QueryString).toContain("it''s-00002");
    expect(input.QueryString).toContain(
      `FROM (SELECT * FROM "finops_cur"."cur2" WHERE billing_period = '2026-01' AND "$path" IN (`,
    );
    expect(input.QueryString).not.toContain("{{cur}}");
    expect(input).toMatchObject({
      WorkGroup: "finops-cur",
      QueryExecutionContext: { Database: "finops_cur" },
      ExecutionParameters: ["'2026-01'"],
    });
    expect(parseTrino(input.QueryString!).errors).toEqual([]);
  });

  it.each([
    ["SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT", SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT],
    ["INVOICE_STATUS", INVOICE_STATUS],
    [
      "a query qualifying columns with the alias",
      "SELECT cur.bill_invoice_id FROM {{cur}} WHERE cur.billing_period = ?",
    ],
  ])("%s parses as Trino with the filtered subquery in place of {{cur}}", async (_name, sql) => {
    const e = engine(fakeAthena({}).client);
    await e.attach(delivery());
    const q = e.queryString(sql);

    expect(q).toMatch(
      /FROM \(SELECT \* FROM "finops_cur"\."cur2" WHERE billing_period = '2026-01' AND "\$path" IN \('s3:\/\/[^)]*\)\) AS cur\s+WHERE /,
    );
    expect(parseTrino(q)).toMatchObject({ errors: [], statements: ["query"] });
  });

  it("would not parse with an alias of the caller's own after {{cur}}: write FROM {{cur}} alone", async () => {
    const e = engine(fakeAthena({}).client);
    await e.attach(delivery());

    expect(parseTrino(e.queryString("SELECT COUNT(*) FROM {{cur}} AS c")).errors).not.toEqual([]);
  });

  it("leaves out a file the manifest does not list, though it sits in the same partition", async () => {
    const stale = "cur/finops-cur/data/BILLING_PERIOD=2026-01/finops-cur-00003.snappy.parquet";
    const e = engine(fakeAthena({}).client);
    await e.attach(delivery());
    const uris = pathList(e.queryString(INVOICE_STATUS));

    expect(uris).toEqual(deliveryUris(delivery()));
    expect(uris).not.toContain(`s3://finops-cur-replica/${stale}`);
  });

  it("queries the whole table before any attach (the cost tools) and again after close", async () => {
    const e = engine(fakeAthena({}).client);
    expect(e.queryString("SELECT COUNT(*) FROM {{cur}}")).toBe('SELECT COUNT(*) FROM "finops_cur"."cur2"');
    await e.attach(delivery());
    expect(e.queryString("SELECT COUNT(*) FROM {{cur}}")).toContain('"$path" IN (');
    await e.close();
    expect(e.queryString("SELECT COUNT(*) FROM {{cur}}")).toBe('SELECT COUNT(*) FROM "finops_cur"."cur2"');
  });

  it("a later attach replaces the earlier delivery's files", async () => {
    const e = engine(fakeAthena({}).client);
    await e.attach(delivery());
    const next = delivery({
      billingPeriod: "2026-02",
      dataKeys: ["cur/finops-cur/data/BILLING_PERIOD=2026-02/finops-cur-00001.snappy.parquet"],
    });
    await e.attach(next);
    const q = e.queryString(INVOICE_STATUS);

    expect(pathList(q)).toEqual(deliveryUris(next));
    expect(q).toContain("billing_period = '2026-02'");
  });

  it("refuses a delivery without files or with a billing period that is not YYYY-MM", async () => {
    const e = engine(fakeAthena({}).client);
    await expect(e.attach(delivery({ dataKeys: [] }))).rejects.toMatchObject({ field: "dataFiles" });
    await expect(e.attach(delivery({ billingPeriod: "2026-01' OR 1=1 --" }))).rejects.toMatchObject({
      field: "billingPeriod",
    });
    // A refused attach leaves no earlier delivery in place.
    expect(e.queryString("SELECT 1 FROM {{cur}}")).toBe('SELECT 1 FROM "finops_cur"."cur2"');
  });
});

describe("Athena's 262,144-byte query string limit", () => {
  const keyOf = (i: number) =>
    `cur/finops-cur/data/BILLING_PERIOD=2026-01/finops-cur-${String(i).padStart(5, "0")}.snappy.parquet`;
  const keys = (n: number) => Array.from({ length: n }, (_, i) => keyOf(i + 1));
  const referenceBytes = (n: number) =>
    Buffer.byteLength(deliveryTableReference("finops_cur", "cur2", delivery({ dataKeys: keys(n) })), "utf8");
  const budget = ATHENA_MAX_QUERY_BYTES - ATHENA_SQL_RESERVE_BYTES;
  // The largest delivery (file count) whose file list still fits the budget (binary search).
  let fits = 1;
  for (let hi = 10_000; fits < hi; ) {
    const mid = Math.ceil((fits + hi) / 2);
    if (referenceBytes(mid) <= budget) fits = mid;
    else hi = mid - 1;
  }

  it("takes the largest delivery that fits (over 2,000 files of this landing's keys) and sends a query under the limit", async () => {
    expect(fits).toBeGreaterThan(2000);
    const { client, sent } = fakeAthena({
      executions: [succeeded("DML")],
      pages: [page([{ Name: "line_items", Type: "bigint" }], [row("line_items"), row("5")])],
    });
    const e = engine(client);
    await e.attach(delivery({ dataKeys: keys(fits) }));
    await e.query(INVOICE_STATUS, ["2026-01"]);
    const q = (sent[0]!.input as StartQueryExecutionInput).QueryString!;

    expect(Buffer.byteLength(q, "utf8")).toBeLessThanOrEqual(ATHENA_MAX_QUERY_BYTES);
    expect(pathList(q)).toHaveLength(fits);
  });

  it("fails at attach, naming the file count and the limit, when one more file would not fit (no chunking)", async () => {
    const e = engine(fakeAthena({}).client);
    const attached = e.attach(delivery({ dataKeys: keys(fits + 1) }));

    await expect(attached).rejects.toBeInstanceOf(CurDeliveryError);
    await expect(e.attach(delivery({ dataKeys: keys(fits + 1) }))).rejects.toThrow(
      new RegExp(`dataFiles: the manifest lists ${fits + 1} data files; .*262144-byte query string limit`),
    );
  });

  it("checks the exact query string again before sending: an over-long one is never sent", async () => {
    const { client, sent } = fakeAthena({});
    const e = engine(client);
    await e.attach(delivery());
    const huge = `SELECT COUNT(*) FROM {{cur}} WHERE line_item_resource_id NOT IN ('${"x".repeat(ATHENA_MAX_QUERY_BYTES)}')`;

    await expect(e.query(huge, [])).rejects.toThrow(
      /over Athena's 262144-byte limit .*2 file URIs.*nothing was sent/,
    );
    expect(sent).toEqual([]);
  });

  it("counts bytes, not characters (UTF-8)", async () => {
    const { client, sent } = fakeAthena({});
    const e = engine(client);
    // 100,000 characters, 300,000 bytes.
    await expect(e.query(`SELECT '${"€".repeat(100_000)}'`, [])).rejects.toBeInstanceOf(QueryFailedError);
    expect(sent).toEqual([]);
  });
});

describe("a failed query", () => {
  it("is a QueryFailedError with the execution id, the state and Athena's StateChangeReason; no results are read", async () => {
    const { client, sent } = fakeAthena({
      executions: [
        running,
        {
          QueryExecution: {
            QueryExecutionId: "q-1",
            StatementType: "DML",
            Status: {
              State: "FAILED",
              StateChangeReason:
                "COLUMN_NOT_FOUND: line 3:8: Column 'product_servicecode' cannot be resolved",
              AthenaError: { ErrorCategory: 2, ErrorType: 1006 },
            },
          },
        },
      ],
    });
    const result = engine(client).query(SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT, ["2026-01"]);

    await expect(result).rejects.toBeInstanceOf(QueryFailedError);
    await expect(result).rejects.toThrow(
      "athena query failed: q-1 FAILED: COLUMN_NOT_FOUND: line 3:8: Column 'product_servicecode' cannot be resolved",
    );
    expect(sent.map((s) => s.name)).not.toContain("GetQueryResultsCommand");
  });

  it("falls back to AthenaError.ErrorMessage when there is no StateChangeReason", async () => {
    const { client } = fakeAthena({
      executions: [
        {
          QueryExecution: {
            QueryExecutionId: "q-1",
            Status: { State: "CANCELLED", AthenaError: { ErrorMessage: "Query was cancelled by the user" } },
          },
        },
      ],
    });

    await expect(engine(client).query("SELECT 1", [])).rejects.toThrow(
      "athena query failed: q-1 CANCELLED: Query was cancelled by the user",
    );
  });

  it("stops a query still running at the deadline", async () => {
    const { client, sent } = fakeAthena({ executions: [running, running, running] });
    const e = new AthenaQueryEngine({
      athena: client,
      workgroup: "finops-cur",
      database: "finops_cur",
      table: "cur2",
      maxWaitSeconds: 0,
      sleep: async () => undefined,
    });

    await expect(e.query("SELECT 1", [])).rejects.toThrow(/q-1 still RUNNING after 0 s; stopped it/);
    expect(sent.at(-1)).toEqual({ name: "StopQueryExecutionCommand", input: { QueryExecutionId: "q-1" } });
  });
});
