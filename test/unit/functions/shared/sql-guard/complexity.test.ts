/**
 * Issue 14: deeply nested input must be refused as too complex before the parser recurses, and
 * nothing — hostile input included — may make the guard throw. Thresholds measured on
 * dt-sql-parser 4.5.1 (Node 20, default stack): the grammar alone overflows the stack at about
 * 4,800 unary `-` or `+` and 5,000 `NOT`; nested subqueries roughly double the parse time per level.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { loadBundledSqlGuard, loadBundledTrinoGrammar } from "../../../../support/bundled-sql-guard";

const { checkReadOnlySql, MAX_PREFIX_OPERATOR_RUN, MAX_CASE_DEPTH, MAX_SUBQUERY_DEPTH, MAX_NESTING_DEPTH } =
  loadBundledSqlGuard();

const nots = (n: number) => `SELECT ${"NOT ".repeat(n)}x FROM t`;
const minuses = (n: number) => `SELECT ${"- ".repeat(n)}1`;
const pluses = (n: number) => `SELECT ${"+".repeat(n)}1`;
const negatedParens = (n: number) => `SELECT ${"-(".repeat(n)}1${")".repeat(n)}`;
const cases = (n: number) => `SELECT ${"CASE WHEN a = 1 THEN ".repeat(n)}1${" END".repeat(n)} FROM t`;
const subqueries = (n: number) => `SELECT ${"(SELECT ".repeat(n)}1${")".repeat(n)}`;
const fromSubqueries = (n: number) => `SELECT * FROM ${"(SELECT * FROM ".repeat(n)}t${") s".repeat(n)}`;

describe("complexity limits, both sides", () => {
  it.each([
    ["NOT NOT … x", nots],
    ["- - - 1", minuses],
    ["+++1", pluses],
    ["-(-(-(1)))", negatedParens],
  ])(`allows ${MAX_PREFIX_OPERATOR_RUN} prefix operators in a row (%s) and refuses one more`, (_, build) => {
    expect(checkReadOnlySql(build(MAX_PREFIX_OPERATOR_RUN))).toEqual({ allowed: true, kind: "SELECT" });
    expect(checkReadOnlySql(build(MAX_PREFIX_OPERATOR_RUN + 1))).toEqual({
      allowed: false,
      category: "too-complex",
      reason: expect.stringContaining(`more than ${MAX_PREFIX_OPERATOR_RUN} prefix operators`),
    });
  });

  it("does not count binary minus and plus as a prefix run", () => {
    const sql = `SELECT ${Array.from({ length: 40 }, (_, i) => `a${i}`).join(" - ")} + 1 - -2 FROM t`;

    expect(checkReadOnlySql(sql)).toEqual({ allowed: true, kind: "SELECT" });
  });

  it(`allows CASE nested ${MAX_CASE_DEPTH} deep and refuses one more`, () => {
    expect(checkReadOnlySql(cases(MAX_CASE_DEPTH))).toEqual({ allowed: true, kind: "SELECT" });
    expect(checkReadOnlySql(cases(MAX_CASE_DEPTH + 1))).toMatchObject({
      allowed: false,
      category: "too-complex",
      reason: expect.stringContaining(`CASE expressions nested more than ${MAX_CASE_DEPTH} deep`),
    });
  });

  it.each([
    ["scalar subqueries", subqueries],
    ["FROM subqueries", fromSubqueries],
  ])(`allows %s nested ${MAX_SUBQUERY_DEPTH} deep and refuses one more`, (_, build) => {
    expect(checkReadOnlySql(build(MAX_SUBQUERY_DEPTH))).toEqual({ allowed: true, kind: "SELECT" });
    expect(checkReadOnlySql(build(MAX_SUBQUERY_DEPTH + 1))).toMatchObject({
      allowed: false,
      category: "too-complex",
      reason: expect.stringContaining(`subqueries nested more than ${MAX_SUBQUERY_DEPTH} deep`),
    });
  });

  it(`refuses brackets nested ${MAX_NESTING_DEPTH + 1} deep as too-deep`, () => {
    const n = MAX_NESTING_DEPTH + 1;
    expect(checkReadOnlySql(`SELECT ${"(".repeat(n)}1${")".repeat(n)}`)).toMatchObject({
      allowed: false,
      category: "too-deep",
    });
  });

  it("refuses, before parsing, the inputs on which the grammar alone overflows the stack", () => {
    const { parseTrino } = loadBundledTrinoGrammar();
    const hostile = minuses(6000);

    expect(() => parseTrino(hostile)).toThrow(RangeError);
    expect(checkReadOnlySql(hostile)).toMatchObject({ allowed: false, category: "too-complex" });
    expect(checkReadOnlySql(nots(4990))).toMatchObject({ allowed: false, category: "too-complex" });
    expect(checkReadOnlySql(pluses(19_000))).toMatchObject({ allowed: false, category: "too-complex" });
  });

  it("allows long flat chains: 400 ANDed conditions, 1,000 ORs, a 2,000-item IN list, 1,000 terms", () => {
    const conds = (n: number, op: string) =>
      Array.from({ length: n }, (_, i) => `c${i % 50} = ${i}`).join(` ${op} `);
    for (const sql of [
      `SELECT * FROM t WHERE ${conds(400, "AND")}`,
      `SELECT * FROM t WHERE ${conds(1000, "OR")}`,
      `SELECT * FROM t WHERE a IN (${Array.from({ length: 2000 }, (_, i) => i).join(",")})`,
      `SELECT ${Array.from({ length: 1000 }, (_, i) => `c${i % 9}`).join(" + ")} FROM t`,
    ]) {
      expect(checkReadOnlySql(sql)).toEqual({ allowed: true, kind: "SELECT" });
    }
  });

  it("allows a real, long but flat CUR query (monthly cost by account, service and tag)", () => {
    const services = Array.from({ length: 60 }, (_, i) => `'AmazonService${i}'`);
    const buckets = services
      .map(
        (s, i) =>
          `    SUM(CASE WHEN line_item_product_code = ${s} THEN line_item_unblended_cost ELSE 0 END) AS cost_${i}`,
      )
      .join(",\n");
    const sql = `WITH monthly AS (
  SELECT line_item_usage_account_id AS account_id,
         date_trunc('month', line_item_usage_start_date) AS month,
         resource_tags['user_cost_center'] AS cost_center,
         line_item_product_code,
         line_item_unblended_cost,
         line_item_line_item_type
  FROM cur2
  WHERE billing_period BETWEEN '2025-01' AND '2025-12'
    AND line_item_line_item_type NOT IN ('Tax', 'Credit', 'Refund')
    AND (line_item_usage_account_id IN (${Array.from({ length: 40 }, (_, i) => `'${String(100000000000 + i)}'`).join(", ")}))
)
SELECT account_id, month, cost_center,
${buckets},
    SUM(line_item_unblended_cost) AS total
FROM monthly
WHERE NOT (cost_center IS NULL AND account_id = '000000000000')
GROUP BY account_id, month, cost_center
HAVING SUM(line_item_unblended_cost) > 0.01
ORDER BY month DESC, total DESC
LIMIT 1000`;

    expect(sql.length).toBeGreaterThan(6000);
    expect(checkReadOnlySql(sql)).toEqual({ allowed: true, kind: "WITH" });
  });
});

describe("hostile input never throws", () => {
  const hostile: Array<[string, unknown]> = [
    ["a 5 MB string", `SELECT '${"x".repeat(5_000_000)}'`],
    ["20,000 opening brackets", "(".repeat(20_000)],
    ["unbalanced closing brackets", `SELECT 1${")".repeat(5000)}`],
    ["NUL bytes", "SELECT 1\u0000; DROP TABLE t"],
    ["a lone surrogate outside a literal", "SELECT \ud800 AS x"],
    ["emoji and CJK outside literals", "SELECT 日本 FROM 😀"],
    ["an unterminated string", `SELECT '${"a".repeat(10_000)}`],
    ["an unterminated quoted identifier", 'SELECT "abc FROM t'],
    ["an unterminated block comment", "SELECT 1 /* never closed"],
    ["only a line comment", "-- SELECT 1"],
    ["a keyword soup", "SELECT SELECT FROM FROM WHERE WHERE ((( CASE CASE END"],
    ["an object instead of a string", { toString: () => "SELECT 1" }],
    ["undefined", undefined],
  ];

  it.each(hostile)("refuses %s with a reason", (_, sql) => {
    let result: ReturnType<typeof checkReadOnlySql> | undefined;
    expect(() => {
      result = checkReadOnlySql(sql as string);
    }).not.toThrow();
    expect(result).toMatchObject({ allowed: false, reason: expect.any(String) });
  });
});

describe("sql-check CLI on too-complex input", () => {
  const root = resolve(__dirname, "../../../../..");
  const run = (args: string[], input?: string) =>
    spawnSync(resolve(root, "node_modules/.bin/tsx"), ["scripts/sql-check.ts", ...args], {
      cwd: root,
      input,
      encoding: "utf8",
    });

  it.each([
    ["6,000 unary minus", minuses(6000)],
    ["5,000 NOT", nots(5000)],
    ["nested subqueries", subqueries(12)],
    ["NUL bytes", "SELECT 1\u0000"],
  ])("exits 1 with a reason and no stack trace for %s (via stdin)", (_, sql) => {
    const { status, stdout, stderr } = run(["-"], sql);

    expect(stdout).toMatch(/^rejected \([a-z-]+\): .{20,}/);
    expect(`${stdout}${stderr}`).not.toMatch(/\bat .+:\d+:\d+\)?$|RangeError|Maximum call stack/m);
    expect(status).toBe(1);
  });
});
