import {
  SqlTokenizeError,
  significantTokens,
  tokenize,
} from "../../../../../functions/shared/sql-guard/tokenizer";

const kinds = (sql: string) => significantTokens(tokenize(sql)).map((t) => [t.kind, t.text]);

describe("tokenize", () => {
  it("reads a -- comment to the end of the line only", () => {
    expect(kinds("SELECT 1 -- DROP TABLE t;\nFROM t")).toEqual([
      ["word", "SELECT"],
      ["number", "1"],
      ["word", "FROM"],
      ["word", "t"],
    ]);
  });

  it("ends a -- comment at a bare carriage return, as Trino does", () => {
    expect(kinds("SELECT 1 -- x\rDROP")).toEqual([
      ["word", "SELECT"],
      ["number", "1"],
      ["word", "DROP"],
    ]);
  });

  it("does not nest /* */ comments", () => {
    expect(kinds("/* a /* b */ SELECT */")).toEqual([
      ["word", "SELECT"],
      ["symbol", "*"],
      ["symbol", "/"],
    ]);
  });

  it("keeps a ';' inside a string literal and unescapes ''", () => {
    const [, literal] = significantTokens(tokenize("SELECT 'it''s; DROP TABLE t'"));

    expect(literal).toMatchObject({ kind: "string", value: "it's; DROP TABLE t" });
  });

  it("does not treat a backslash as an escape in a string literal", () => {
    expect(kinds("SELECT 'a\\'; DROP")).toEqual([
      ["word", "SELECT"],
      ["string", "'a\\'"],
      ["symbol", ";"],
      ["word", "DROP"],
    ]);
  });

  it.each([
    ['"delete"', "delete"],
    ['"a""b"', 'a"b'],
    ["`drop`", "drop"],
    ["`a``b`", "a`b"],
  ])("reads the quoted identifier %s as one token with value %j", (text, value) => {
    expect(significantTokens(tokenize(text))).toEqual([
      expect.objectContaining({ kind: "quoted-identifier", value }),
    ]);
  });

  it("upper-cases words in value and keeps the text as written", () => {
    expect(tokenize("sElEcT")[0]).toMatchObject({ kind: "word", text: "sElEcT", value: "SELECT" });
  });

  it("reads numbers with decimals and signed exponents as one token", () => {
    expect(kinds("1.5e-3 .5 42")).toEqual([
      ["number", "1.5e-3"],
      ["number", ".5"],
      ["number", "42"],
    ]);
  });

  it("reads two-character operators as one symbol", () => {
    expect(kinds("a -> b => c || d <> e").filter(([kind]) => kind === "symbol")).toEqual([
      ["symbol", "->"],
      ["symbol", "=>"],
      ["symbol", "||"],
      ["symbol", "<>"],
    ]);
  });

  it("gives a look-alike letter its own 'other' token instead of merging it into a word", () => {
    expect(kinds("\u0421ELECT")).toEqual([
      ["other", "\u0421"],
      ["word", "ELECT"],
    ]);
  });

  it("keeps a character outside the BMP whole", () => {
    expect(kinds("\u{1D5E6}")).toEqual([["other", "\u{1D5E6}"]]);
  });

  it("tracks line and column across \\n and \\r\\n", () => {
    const tokens = significantTokens(tokenize("SELECT\r\n  a,\n    b"));

    expect(tokens.map((t) => [t.text, t.line, t.column])).toEqual([
      ["SELECT", 1, 1],
      ["a", 2, 3],
      [",", 2, 4],
      ["b", 3, 5],
    ]);
  });

  it.each([
    ["SELECT 'abc", "unterminated string literal starting at line 1, column 8"],
    ['SELECT "abc', "unterminated quoted identifier starting at line 1, column 8"],
    ["SELECT `abc", "unterminated backquoted identifier starting at line 1, column 8"],
    ["SELECT 1\n/* abc", "unterminated comment starting at line 2, column 1"],
  ])("throws SqlTokenizeError for %j", (sql, message) => {
    expect(() => tokenize(sql)).toThrow(SqlTokenizeError);
    expect(() => tokenize(sql)).toThrow(message);
  });
});
