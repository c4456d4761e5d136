/**
 * The read-only SQL guard for the Athena tool. See docs/sql-guard.md.
 *
 * Layers, in order (the first that objects gives the reason):
 * 1. input: a non-empty string of at most MAX_SQL_LENGTH characters;
 * 2. characters: no invisible or bidirectional control characters anywhere, and nothing but ASCII
 *    outside string literals, quoted identifiers and comments (look-alike keywords);
 * 3. tokens: one statement only, nesting depth and the complexity limits (prefix-operator runs,
 *    CASE and subquery depth, checked before the recursive parser runs), the statement-kind allowlist read from the leading
 *    keywords (through WITH clauses), no table functions or external functions;
 * 4. grammar: the whole text must parse as Trino, as exactly one statement whose parse-tree kind
 *    is on the allowlist, with no table function invocation anywhere in the tree.
 * Layers 3 and 4 agree by construction; both must pass, so a gap in one is covered by the other.
 */

import { SqlTokenizeError, significantTokens, type Token, tokenize } from "./tokenizer";
import { parseTrino } from "./trino-grammar";

/** Longest statement accepted, in characters. Cost queries are short; Athena's own cap is 256 KB. */
export const MAX_SQL_LENGTH = 20_000;
/** Deepest nesting of parentheses and brackets accepted (keeps the parser's recursion bounded). */
export const MAX_NESTING_DEPTH = 64;
/**
 * Longest run of prefix operators (`NOT`, unary `-` / `+`) in a row, as in `NOT NOT … x` or
 * `- - - 1`. Each one is a level of parser recursion: dt-sql-parser overflows the JavaScript
 * stack at about 4,800 of them (Node's default stack), and no cost query needs more than two.
 */
export const MAX_PREFIX_OPERATOR_RUN = 16;
/** Deepest nesting of CASE … END expressions (each level recurses through the whole expression grammar). */
export const MAX_CASE_DEPTH = 16;
/**
 * Deepest nesting of subqueries (a SELECT inside brackets inside another SELECT). The parser's
 * prediction time roughly doubles with each level (seconds at 6 to 8 levels), so deeper nesting is refused as too
 * complex; real cost queries nest three or four levels (CTEs keep them flat).
 */
export const MAX_SUBQUERY_DEPTH = 6;

export type ReadOnlyKind = "SELECT" | "WITH" | "SHOW" | "DESCRIBE";

/** Why a statement was refused, as a stable category for callers and tests. */
export type RejectCategory =
  | "empty"
  | "too-long"
  | "too-deep"
  | "too-complex"
  | "unicode"
  | "syntax"
  | "multiple-statements"
  | "ddl"
  | "ctas"
  | "dml"
  | "unload"
  | "explain"
  | "call"
  | "external-function"
  | "table-function"
  | "statement-kind";

export type SqlCheckResult =
  | { readonly allowed: true; readonly kind: ReadOnlyKind }
  | { readonly allowed: false; readonly category: RejectCategory; readonly reason: string };

const ALLOWED_LIST = "only SELECT, WITH … SELECT, SHOW and DESCRIBE are allowed";

const reject = (category: RejectCategory, reason: string): SqlCheckResult => ({
  allowed: false,
  category,
  reason,
});

const at = (t: { line: number; column: number }) => `line ${t.line}, column ${t.column}`;

const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Characters refused anywhere, even in literals and comments: controls, zero-width and joiner
 * characters, bidirectional overrides (Trojan Source), variation selectors, tag characters, BOM.
 */
function isInvisible(cp: number): boolean {
  return (
    (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0xad ||
    cp === 0x034f ||
    cp === 0x061c ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    (cp >= 0x180b && cp <= 0x180f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    cp === 0x3164 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff ||
    cp === 0xffa0 ||
    (cp >= 0xfff0 && cp <= 0xfffb) ||
    (cp >= 0x1d173 && cp <= 0x1d17a) ||
    (cp >= 0xe0000 && cp <= 0xe0fff)
  );
}

function findInvisible(sql: string): SqlCheckResult | undefined {
  let line = 1;
  let column = 1;
  for (const ch of sql) {
    const cp = ch.codePointAt(0)!;
    if (isInvisible(cp)) {
      return reject(
        "unicode",
        `invisible or control character ${hex(cp)} at ${at({ line, column })}: such characters can hide what a statement really does; remove it`,
      );
    }
    if (ch === "\n") {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return undefined;
}

const isWord = (t: Token | undefined, ...words: string[]): t is Token =>
  t !== undefined && t.kind === "word" && (words.length === 0 || words.includes(t.value));
const isSymbol = (t: Token | undefined, symbol: string): t is Token =>
  t !== undefined && t.kind === "symbol" && t.text === symbol;

/** Index just past the bracket group opening at `open` (or tokens.length if unbalanced). */
function skipGroup(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isSymbol(tokens[i], "(")) depth++;
    else if (isSymbol(tokens[i], ")")) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return tokens.length;
}

const skipOpenParens = (tokens: readonly Token[], from: number): number => {
  let i = from;
  while (isSymbol(tokens[i], "(")) i++;
  return i;
};

const DDL = new Set([
  "CREATE",
  "DROP",
  "ALTER",
  "TRUNCATE",
  "COMMENT",
  "MSCK",
  "REFRESH",
  "VACUUM",
  "OPTIMIZE",
  "RENAME",
  "REPAIR",
  "LOAD",
]);
const DML = new Set(["INSERT", "DELETE", "UPDATE", "MERGE", "UPSERT", "REPLACE"]);

type Leading = { kind: ReadOnlyKind } | { reject: SqlCheckResult } | { unknown: true };

/** Classifies a statement by its first keyword(s); `tokens` are the significant tokens. */
function classifyLeading(tokens: readonly Token[], from: number): Leading {
  const i = skipOpenParens(tokens, from);
  const first = tokens[i];
  if (!isWord(first)) return { unknown: true };
  const word = first.value;
  switch (word) {
    case "SELECT":
      return { kind: "SELECT" };
    case "WITH":
      return classifyWith(tokens, i + 1);
    case "SHOW":
      return { kind: "SHOW" };
    case "DESCRIBE":
    case "DESC":
      return { kind: "DESCRIBE" };
    case "VALUES":
    case "TABLE":
      return {
        reject: reject(
          "statement-kind",
          `a top-level ${word} statement is not allowed: ${ALLOWED_LIST}; write SELECT * FROM ${word === "TABLE" ? "<table>" : "(VALUES …) AS v(…)"} instead`,
        ),
      };
    case "USING":
      if (isWord(tokens[i + 1], "EXTERNAL")) {
        return {
          reject: reject(
            "external-function",
            "USING EXTERNAL FUNCTION is not allowed: external functions call Lambda or SageMaker and can have side effects",
          ),
        };
      }
      break;
    case "UNLOAD":
      return {
        reject: reject("unload", `UNLOAD is not allowed: it writes query results to S3; ${ALLOWED_LIST}`),
      };
    case "EXPLAIN": {
      const analyze = tokens.slice(i + 1).some((t) => isWord(t, "ANALYZE"));
      return {
        reject: reject(
          "explain",
          analyze
            ? `EXPLAIN ANALYZE is not allowed: it executes the statement it explains; ${ALLOWED_LIST}`
            : `EXPLAIN is not allowed: ${ALLOWED_LIST} (EXPLAIN ANALYZE runs the statement it explains, so no EXPLAIN form is accepted)`,
        ),
      };
    }
    case "CALL":
      return {
        reject: reject(
          "call",
          `CALL is not allowed: procedures can change data or metadata; ${ALLOWED_LIST}`,
        ),
      };
  }
  if (word === "CREATE" && isCtas(tokens, i)) {
    return {
      reject: reject(
        "ctas",
        `CREATE TABLE … AS SELECT is not allowed: it writes a new table; ${ALLOWED_LIST} (run the SELECT on its own)`,
      ),
    };
  }
  if (DDL.has(word)) {
    return {
      reject: reject("ddl", `${word} is DDL and is not allowed: it changes the catalog; ${ALLOWED_LIST}`),
    };
  }
  if (DML.has(word)) {
    return { reject: reject("dml", `${word} changes data and is not allowed; ${ALLOWED_LIST}`) };
  }
  return {
    reject: reject("statement-kind", `${word} statements are not allowed: ${ALLOWED_LIST}`),
  };
}

/** CREATE [OR REPLACE] [EXTERNAL] TABLE … AS …: an `AS` at nesting depth 0 after TABLE. */
function isCtas(tokens: readonly Token[], create: number): boolean {
  let depth = 0;
  let sawTable = false;
  for (let i = create + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (isSymbol(t, "(")) depth++;
    else if (isSymbol(t, ")")) depth--;
    else if (depth === 0 && isWord(t, "TABLE")) sawTable = true;
    else if (depth === 0 && sawTable && isWord(t, "AS")) return true;
  }
  return false;
}

/** Walks `WITH [RECURSIVE] name [(cols)] AS (query) [, …]` and classifies what follows. */
function classifyWith(tokens: readonly Token[], from: number): Leading {
  let i = from;
  if (isWord(tokens[i], "RECURSIVE")) i++;
  for (;;) {
    const name = tokens[i];
    if (!name || (name.kind !== "word" && name.kind !== "quoted-identifier")) return { unknown: true };
    i++;
    if (isSymbol(tokens[i], "(")) i = skipGroup(tokens, i);
    if (!isWord(tokens[i], "AS")) return { unknown: true };
    i++;
    if (!isSymbol(tokens[i], "(")) return { unknown: true };
    const body = classifyLeading(tokens, i + 1);
    if ("reject" in body && body.reject.allowed === false && body.reject.category === "dml") {
      const inner = tokens[skipOpenParens(tokens, i + 1)];
      return {
        reject: reject(
          "dml",
          `${inner.value} inside a WITH clause (at ${at(inner)}) changes data and is not allowed; ${ALLOWED_LIST}`,
        ),
      };
    }
    i = skipGroup(tokens, i);
    if (isSymbol(tokens[i], ",")) {
      i++;
      continue;
    }
    break;
  }
  const main = classifyLeading(tokens, i);
  if ("kind" in main) return main.kind === "SELECT" ? { kind: "WITH" } : { unknown: true };
  if ("reject" in main && main.reject.allowed === false && main.reject.category === "dml") {
    const t = tokens[skipOpenParens(tokens, i)];
    return {
      reject: reject(
        "dml",
        `WITH … ${t.value} (at ${at(t)}) changes data and is not allowed: a WITH clause may only be followed by SELECT`,
      ),
    };
  }
  if ("reject" in main && main.reject.allowed === false && main.reject.category === "statement-kind") {
    // WITH … VALUES / WITH … TABLE t are plain queries (read-only); let the grammar judge them.
    const t = tokens[skipOpenParens(tokens, i)];
    if (isWord(t, "VALUES", "TABLE")) return { kind: "WITH" };
  }
  return main;
}

/** Table functions (`TABLE(system.query(…))`) and catalog passthrough (`….system.query`). */
function findTableFunction(tokens: readonly Token[]): SqlCheckResult | undefined {
  const name = (t: Token | undefined) =>
    t === undefined
      ? ""
      : t.kind === "word"
        ? t.value
        : t.kind === "quoted-identifier"
          ? t.value.toUpperCase()
          : "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (isWord(t, "TABLE") && isSymbol(tokens[i + 1], "(")) {
      return reject(
        "table-function",
        `table function call TABLE(…) at ${at(t)} is not allowed: table functions such as system.query pass SQL through to other engines`,
      );
    }
    if (name(t) === "SYSTEM" && isSymbol(tokens[i + 1], ".") && name(tokens[i + 2]) === "QUERY") {
      return reject(
        "table-function",
        `system.query at ${at(t)} is not allowed: it passes SQL through to a federated data source unchecked`,
      );
    }
    if (isWord(t, "EXTERNAL") && isWord(tokens[i + 1], "FUNCTION")) {
      return reject(
        "external-function",
        `EXTERNAL FUNCTION at ${at(t)} is not allowed: external functions call Lambda or SageMaker and can have side effects`,
      );
    }
  }
  return undefined;
}

/**
 * Athena's Hive-engine metadata statements that Trino's grammar does not know. Matched as exact
 * token shapes (names are plain or quoted identifiers, patterns are simple string literals).
 */
function matchAthenaMetadata(tokens: readonly Token[]): ReadOnlyKind | undefined {
  let i = 0;
  const word = (...words: string[]) => {
    if (isWord(tokens[i], ...words)) {
      i++;
      return true;
    }
    return false;
  };
  const name = () => {
    const isName = (t: Token | undefined) =>
      t !== undefined && (t.kind === "word" || (t.kind === "quoted-identifier" && t.text[0] === "`"));
    if (!isName(tokens[i])) return false;
    i++;
    while (isSymbol(tokens[i], ".") && isName(tokens[i + 1])) i += 2;
    return true;
  };
  const pattern = () => {
    const t = tokens[i];
    if (t?.kind === "string" && /^[A-Za-z0-9_*|.%-]*$/.test(t.value)) {
      i++;
      return true;
    }
    return false;
  };
  const end = () => i === tokens.length;

  if (word("SHOW")) {
    if (word("DATABASES", "SCHEMAS")) {
      if (word("LIKE")) return pattern() && end() ? "SHOW" : undefined;
      return end() ? "SHOW" : undefined;
    }
    if (word("PARTITIONS")) return name() && end() ? "SHOW" : undefined;
    if (word("TBLPROPERTIES")) {
      if (!name()) return undefined;
      if (isSymbol(tokens[i], "(")) {
        i++;
        if (!pattern() || !isSymbol(tokens[i], ")")) return undefined;
        i++;
      }
      return end() ? "SHOW" : undefined;
    }
    if (word("VIEWS")) {
      if (word("IN") && !name()) return undefined;
      if (word("LIKE") && !pattern()) return undefined;
      return end() ? "SHOW" : undefined;
    }
    return undefined;
  }
  if (word("DESCRIBE", "DESC")) {
    word("EXTENDED", "FORMATTED");
    if (!name()) return undefined;
    if (!end()) name();
    return end() ? "DESCRIBE" : undefined;
  }
  return undefined;
}

/** Tokens after which a `-` or `+` is a binary operator, not a prefix one. */
const isOperand = (t: Token | undefined): boolean =>
  t !== undefined &&
  (t.kind === "number" ||
    t.kind === "string" ||
    t.kind === "quoted-identifier" ||
    (t.kind === "word" &&
      !["NOT", "AND", "OR", "WHEN", "THEN", "ELSE", "SELECT", "WHERE", "ON"].includes(t.value)) ||
    isSymbol(t, ")") ||
    isSymbol(t, "]"));

/**
 * The complexity limits, checked on the tokens before anything recursive runs: bracket depth,
 * runs of prefix operators, CASE depth and subquery depth (see the MAX_* constants). Linear and
 * iterative, so hostile input cannot overflow it.
 */
function findTooComplex(tokens: readonly Token[]): SqlCheckResult | undefined {
  let depth = 0;
  let run = 0;
  let caseDepth = 0;
  // Bracket depth at which each enclosing SELECT sits; its length is the subquery depth.
  const selects: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (isSymbol(t, "(") || isSymbol(t, "[")) depth++;
    else if (isSymbol(t, ")") || isSymbol(t, "]")) {
      depth--;
      while (selects.length > 0 && selects[selects.length - 1] > depth) selects.pop();
    }
    if (depth > MAX_NESTING_DEPTH) {
      return reject(
        "too-deep",
        `the statement nests brackets more than ${MAX_NESTING_DEPTH} deep (at ${at(t)}); simplify it`,
      );
    }
    // A run continues through opening brackets: `-(-(-(1)))` recurses like `- - - 1`.
    const prefix = isWord(t, "NOT") || ((isSymbol(t, "-") || isSymbol(t, "+")) && !isOperand(tokens[i - 1]));
    run = prefix ? run + 1 : isSymbol(t, "(") ? run : 0;
    if (run > MAX_PREFIX_OPERATOR_RUN) {
      return reject(
        "too-complex",
        `more than ${MAX_PREFIX_OPERATOR_RUN} prefix operators (NOT, unary - or +) in a row at ${at(t)}: the statement is too complex to check; simplify it`,
      );
    }
    if (isWord(t, "CASE")) caseDepth++;
    else if (isWord(t, "END") && caseDepth > 0) caseDepth--;
    if (caseDepth > MAX_CASE_DEPTH) {
      return reject(
        "too-complex",
        `CASE expressions nested more than ${MAX_CASE_DEPTH} deep at ${at(t)}: the statement is too complex to check; simplify it`,
      );
    }
    if (isWord(t, "SELECT")) {
      if (selects.length === 0 || selects[selects.length - 1] < depth) selects.push(depth);
      if (selects.length > MAX_SUBQUERY_DEPTH + 1) {
        return reject(
          "too-complex",
          `subqueries nested more than ${MAX_SUBQUERY_DEPTH} deep at ${at(t)}: the statement is too complex to check; use WITH clauses instead`,
        );
      }
    }
  }
  return undefined;
}

/**
 * Decides whether `sql` is one read-only statement the Athena tool may run.
 * Never throws; a refusal carries a category and a reason that says why.
 */
export function checkReadOnlySql(sql: string): SqlCheckResult {
  try {
    return check(sql);
  } catch (error) {
    return parserFailure(error);
  }
}

/** An unexpected exception (a parser bug, an exhausted stack) refuses the statement; it never escapes. */
function parserFailure(error: unknown): SqlCheckResult {
  if (error instanceof RangeError) {
    return reject(
      "too-complex",
      "the statement is too complex to check (the parser ran out of stack); simplify it",
    );
  }
  const name = error instanceof Error ? error.name : typeof error;
  return reject(
    "syntax",
    `the statement could not be checked (the parser failed with ${name}); it is refused to be safe`,
  );
}

function check(sql: string): SqlCheckResult {
  if (typeof sql !== "string") return reject("empty", "the statement must be a string of SQL text");
  if (sql.length > MAX_SQL_LENGTH) {
    return reject(
      "too-long",
      `the statement is ${sql.length} characters long; the limit is ${MAX_SQL_LENGTH} characters`,
    );
  }
  if (sql.trim() === "")
    return reject("empty", "the statement is empty; give one SELECT, WITH, SHOW or DESCRIBE");

  const invisible = findInvisible(sql);
  if (invisible) return invisible;

  let all: Token[];
  try {
    all = tokenize(sql);
  } catch (error) {
    if (error instanceof SqlTokenizeError) return reject("syntax", error.message);
    return parserFailure(error);
  }

  const stray = all.find((t) => t.kind === "other");
  if (stray) {
    return reject(
      "unicode",
      `non-ASCII character "${stray.text}" (${hex(stray.text.codePointAt(0)!)}) at ${at(stray)} outside a string literal, quoted identifier or comment: keywords and unquoted names must be plain ASCII, so look-alike letters cannot disguise a keyword`,
    );
  }

  let tokens = significantTokens(all);
  if (tokens.length === 0) {
    return reject("empty", "the statement is empty (only comments); give one SELECT, WITH, SHOW or DESCRIBE");
  }

  const semicolon = tokens.findIndex((t) => isSymbol(t, ";"));
  if (semicolon >= 0) {
    if (semicolon < tokens.length - 1) {
      return reject(
        "multiple-statements",
        `multiple statements: only one statement is allowed (more SQL follows the ';' at ${at(tokens[semicolon])})`,
      );
    }
    tokens = tokens.slice(0, semicolon);
    if (tokens.length === 0) return reject("empty", "the statement is empty (only a ';')");
  }

  const complex = findTooComplex(tokens);
  if (complex) return complex;

  const leading = classifyLeading(tokens, 0);
  if ("reject" in leading) return leading.reject;

  const passthrough = findTableFunction(tokens);
  if (passthrough) return passthrough;

  const metadata = matchAthenaMetadata(tokens);
  if (metadata) return { allowed: true, kind: metadata };

  let grammar: ReturnType<typeof parseTrino>;
  try {
    grammar = parseTrino(sql);
  } catch (error) {
    return parserFailure(error);
  }
  if (grammar.errors.length > 0) {
    const e = grammar.errors[0];
    return reject("syntax", `not valid Trino SQL at line ${e.line}, column ${e.column}: ${e.message}`);
  }
  if (grammar.statements.length !== 1) {
    return reject(
      "multiple-statements",
      `multiple statements: only one statement is allowed (the parser found ${grammar.statements.length})`,
    );
  }
  if (grammar.hasTableFunction) {
    return reject("table-function", "table function invocations are not allowed: they can pass SQL through");
  }
  if (grammar.allStatements.some((s) => s === "other")) {
    const words = tokens
      .slice(0, 3)
      .filter((t) => t.kind === "word")
      .map((t) => t.value)
      .join(" ");
    return reject(
      "statement-kind",
      `${words} … is not an allowed statement kind: ${ALLOWED_LIST} (SHOW covers tables, schemas, catalogs, columns, CREATE TABLE/VIEW, stats, functions, databases, partitions, views and table properties)`,
    );
  }

  if ("unknown" in leading) {
    return reject("syntax", `the statement does not start like a query: ${ALLOWED_LIST}`);
  }
  const expected = { SELECT: "query", WITH: "query", SHOW: "show", DESCRIBE: "show" } as const;
  const parsed = grammar.statements[0];
  const consistent =
    parsed === expected[leading.kind] || (leading.kind === "DESCRIBE" && parsed === "describe");
  if (!consistent) {
    return reject("statement-kind", `the statement's keywords and its parse disagree; ${ALLOWED_LIST}`);
  }
  return { allowed: true, kind: leading.kind };
}
