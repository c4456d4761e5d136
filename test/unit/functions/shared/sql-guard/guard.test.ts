import { attacks, legitimate } from "../../../../fixtures/sql-guard/corpus";
import { loadBundledSqlGuard, loadBundledTrinoGrammar } from "../../../../support/bundled-sql-guard";

const { checkReadOnlySql, MAX_SQL_LENGTH, MAX_NESTING_DEPTH } = loadBundledSqlGuard();

describe("the SQL guard corpus", () => {
  it("holds at least 60 attacks and 25 legitimate queries, all uniquely named", () => {
    expect(attacks.length).toBeGreaterThanOrEqual(60);
    expect(legitimate.length).toBeGreaterThanOrEqual(25);
    const names = [...attacks, ...legitimate].map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(attacks)("rejects $name as $category", ({ sql, category }) => {
    const result = checkReadOnlySql(sql);

    expect(result).toEqual({ allowed: false, category, reason: expect.any(String) });
    if (!result.allowed) expect(result.reason.length).toBeGreaterThan(20);
  });

  it.each(legitimate)("allows $name as $kind", ({ sql, kind }) => {
    expect(checkReadOnlySql(sql)).toEqual({ allowed: true, kind });
  });
});

describe("rejection reasons say why", () => {
  it.each([
    ["SELECT 1; DROP TABLE t", "multiple statements: only one statement is allowed"],
    ["DROP TABLE cur2", "DROP is DDL and is not allowed"],
    ["CREATE TABLE x AS SELECT 1", "CREATE TABLE … AS SELECT is not allowed: it writes a new table"],
    [
      "UNLOAD (SELECT 1) TO 's3://x/' WITH (format = 'JSON')",
      "UNLOAD is not allowed: it writes query results to S3",
    ],
    ["WITH a AS (SELECT 1) INSERT INTO t SELECT 1", "WITH … INSERT (at line 1, column 22) changes data"],
    ["EXPLAIN ANALYZE INSERT INTO t SELECT 1", "EXPLAIN ANALYZE is not allowed: it executes the statement"],
    ["CALL system.flush_metadata_cache()", "CALL is not allowed: procedures can change data or metadata"],
    ["SELECT * FROM TABLE(system.query(query => 'x'))", "table function call TABLE(…) at line 1, column 15"],
    ["\u0421ELECT 1", 'non-ASCII character "\u0421" (U+0421) at line 1, column 1'],
    ["SELECT\n  1\u200B", "invisible or control character U+200B at line 2, column 4"],
    ["SHOW GRANTS", "SHOW GRANTS … is not an allowed statement kind"],
    ["SELECT 'oops", "unterminated string literal starting at line 1, column 8"],
    ["SELECT 1 DROP TABLE t", "multiple statements: only one statement is allowed (the parser found 2)"],
    ["SELECT FROM WHERE", "not valid Trino SQL at line 1, column"],
  ])("explains the refusal of %j", (sql, expected) => {
    const result = checkReadOnlySql(sql);

    expect(result.allowed).toBe(false);
    expect(!result.allowed && result.reason).toContain(expected);
  });

  it("rejects a non-string input instead of throwing", () => {
    expect(checkReadOnlySql(42 as unknown as string)).toMatchObject({ allowed: false, category: "empty" });
  });
});

describe("limits", () => {
  const padded = (length: number) => {
    const head = "SELECT 1 --";
    return head + "x".repeat(length - head.length);
  };

  it(`allows a statement of exactly MAX_SQL_LENGTH (${MAX_SQL_LENGTH}) characters`, () => {
    expect(checkReadOnlySql(padded(MAX_SQL_LENGTH))).toEqual({ allowed: true, kind: "SELECT" });
  });

  it("rejects a statement one character over MAX_SQL_LENGTH, naming both lengths", () => {
    const result = checkReadOnlySql(padded(MAX_SQL_LENGTH + 1));

    expect(result).toMatchObject({ allowed: false, category: "too-long" });
    expect(!result.allowed && result.reason).toContain(`${MAX_SQL_LENGTH + 1} characters long; the limit is`);
  });

  it(`allows brackets nested exactly MAX_NESTING_DEPTH (${MAX_NESTING_DEPTH}) deep`, () => {
    const sql = `SELECT ${"(".repeat(MAX_NESTING_DEPTH)}1${")".repeat(MAX_NESTING_DEPTH)}`;

    expect(checkReadOnlySql(sql)).toEqual({ allowed: true, kind: "SELECT" });
  });
});

describe("why the grammar alone is not the guard", () => {
  const { parseTrino } = loadBundledTrinoGrammar();

  it.each([
    ["EXPLAIN ANALYZE INSERT INTO t SELECT 1", "explain"],
    ["SELECT * FROM TABLE(system.query(query => 'DROP TABLE x'))", "table-function"],
  ])("parses %j as valid Trino, yet the guard rejects it as %s", (sql, category) => {
    expect(parseTrino(sql).errors).toEqual([]);
    expect(checkReadOnlySql(sql)).toMatchObject({ allowed: false, category });
  });

  it("classifies EXPLAIN ANALYZE's nested INSERT as a statement kind outside the allowlist", () => {
    const result = parseTrino("EXPLAIN ANALYZE INSERT INTO t SELECT 1");

    expect(result.statements).toEqual(["other"]);
    expect(result.allStatements).toEqual(["other", "other"]);
  });

  it("sees a table function invocation in the parse tree", () => {
    expect(parseTrino("SELECT * FROM TABLE(system.query(query => 'x'))").hasTableFunction).toBe(true);
    expect(parseTrino("SELECT * FROM cur2").hasTableFunction).toBe(false);
  });

  it("counts two statements where a ';' separates them", () => {
    expect(parseTrino("SELECT 1; DROP TABLE t").statements).toEqual(["query", "other"]);
  });

  it("reports a syntax error with its position instead of printing it", () => {
    const spy = jest.spyOn(console, "error").mockImplementation(() => undefined);
    const { errors } = parseTrino("SELECT FROM WHERE");

    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ line: 1, column: expect.any(Number), message: expect.any(String) });
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
