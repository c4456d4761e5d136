/**
 * A small SQL tokenizer for the Athena (Trino) dialect, used by the read-only guard.
 *
 * It knows exactly the lexical rules that decide where a statement's words are:
 * - `-- …` comments run to the end of the line (`\n` or `\r`); `/* … *\/` comments do not nest;
 * - string literals are `'…'` with `''` as the escaped quote (Trino has no backslash escapes);
 * - quoted identifiers are `"…"` with `""` as the escaped quote, or `` `…` `` with ``` `` ``` escaped;
 * - unquoted words are ASCII letters, digits and `_`, starting with a letter or `_`.
 *
 * Anything else is a one-character `symbol` (ASCII punctuation) or `other` token (any other code
 * point, kept whole even outside the Basic Multilingual Plane), so the guard can point at a
 * look-alike letter instead of silently reading around it.
 */

export type TokenKind =
  | "word"
  | "quoted-identifier"
  | "string"
  | "number"
  | "symbol"
  | "comment"
  | "whitespace"
  | "other";

export interface Token {
  readonly kind: TokenKind;
  /** The token exactly as written. */
  readonly text: string;
  /** `word`: the upper-cased word. `quoted-identifier` and `string`: the unescaped content. */
  readonly value: string;
  /** Offset of the first character (UTF-16 code units). */
  readonly start: number;
  /** 1-based line and column of the first character. */
  readonly line: number;
  readonly column: number;
}

/** An unterminated string literal, quoted identifier or comment. */
export class SqlTokenizeError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "SqlTokenizeError";
  }
}

const isWordStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isWordPart = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isWhitespace = (c: string): boolean =>
  c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f";

/** Two-character operators, so `->`, `=>`, `||` and comparisons come out as one symbol. */
const TWO_CHAR_SYMBOLS = new Set(["<>", "!=", "<=", ">=", "||", "->", "=>", "::"]);

const QUOTE_NAMES: Record<string, string> = {
  "'": "string literal",
  '"': "quoted identifier",
  "`": "backquoted identifier",
};

/** Splits SQL text into tokens, comments and whitespace included. Throws SqlTokenizeError. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const push = (kind: TokenKind, end: number, value: string, startLine: number, startColumn: number) => {
    tokens.push({ kind, text: sql.slice(i, end), value, start: i, line: startLine, column: startColumn });
    // Keep line/column in step with the consumed text.
    for (let k = i; k < end; k++) {
      const ch = sql[k];
      if (ch === "\n" || (ch === "\r" && sql[k + 1] !== "\n")) {
        line++;
        lineStart = k + 1;
      }
    }
    i = end;
  };

  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    const startLine = line;
    const startColumn = i - lineStart + 1;

    if (isWhitespace(c)) {
      let end = i + 1;
      while (end < sql.length && isWhitespace(sql[end])) end++;
      push("whitespace", end, "", startLine, startColumn);
    } else if (c === "-" && next === "-") {
      let end = i + 2;
      while (end < sql.length && sql[end] !== "\n" && sql[end] !== "\r") end++;
      push("comment", end, sql.slice(i + 2, end), startLine, startColumn);
    } else if (c === "/" && next === "*") {
      const close = sql.indexOf("*/", i + 2);
      if (close < 0) {
        throw new SqlTokenizeError(
          `unterminated comment starting at line ${startLine}, column ${startColumn}: close it with */`,
          startLine,
          startColumn,
        );
      }
      push("comment", close + 2, sql.slice(i + 2, close), startLine, startColumn);
    } else if (c === "'" || c === '"' || c === "`") {
      let end = i + 1;
      let value = "";
      for (;;) {
        if (end >= sql.length) {
          throw new SqlTokenizeError(
            `unterminated ${QUOTE_NAMES[c]} starting at line ${startLine}, column ${startColumn}: close it with ${c} (write ${c}${c} for a literal ${c})`,
            startLine,
            startColumn,
          );
        }
        if (sql[end] === c) {
          if (sql[end + 1] === c) {
            value += c;
            end += 2;
            continue;
          }
          end++;
          break;
        }
        value += sql[end];
        end++;
      }
      push(c === "'" ? "string" : "quoted-identifier", end, value, startLine, startColumn);
    } else if (isWordStart(c)) {
      let end = i + 1;
      while (end < sql.length && isWordPart(sql[end])) end++;
      push("word", end, sql.slice(i, end).toUpperCase(), startLine, startColumn);
    } else if (isDigit(c) || (c === "." && next !== undefined && isDigit(next))) {
      let end = i + 1;
      while (end < sql.length && (isWordPart(sql[end]) || sql[end] === ".")) {
        // An exponent sign belongs to the number: 1e-5, 2.5E+3.
        if ((sql[end] === "e" || sql[end] === "E") && (sql[end + 1] === "+" || sql[end + 1] === "-")) end++;
        end++;
      }
      push("number", end, sql.slice(i, end), startLine, startColumn);
    } else if (c.charCodeAt(0) < 0x80) {
      const pair = c + (next ?? "");
      const end = TWO_CHAR_SYMBOLS.has(pair) ? i + 2 : i + 1;
      push("symbol", end, sql.slice(i, end), startLine, startColumn);
    } else {
      const codePoint = sql.codePointAt(i)!;
      const end = i + (codePoint > 0xffff ? 2 : 1);
      push("other", end, sql.slice(i, end), startLine, startColumn);
    }
  }
  return tokens;
}

/** Tokens that carry meaning: no whitespace, no comments. */
export function significantTokens(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== "whitespace" && t.kind !== "comment");
}
