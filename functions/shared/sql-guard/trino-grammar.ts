/**
 * The Trino grammar under the guard: dt-sql-parser's ANTLR parser, generated from Trino's own
 * SqlBase grammar (Athena engine v3 runs Trino).
 *
 * dt-sql-parser ships ES modules with directory imports, which plain Node refuses; it loads when
 * bundled by esbuild (the Lambda bundling) or run through tsx (the CLI). Jest tests load the guard
 * through the same esbuild bundling (test/support/bundled-sql-guard.ts).
 *
 * Statement kinds are told apart with `instanceof` on the generated context classes, never by
 * class name, so a minified bundle classifies the same way.
 */

import * as T from "dt-sql-parser/dist/lib/trino/TrinoSqlParser";
import { TrinoSQL } from "dt-sql-parser/dist/parser/trino";

export interface GrammarError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** What a statement node is, as far as the guard cares. */
export type StatementClass = "query" | "show" | "describe" | "other";

export interface GrammarResult {
  readonly errors: readonly GrammarError[];
  /** Top-level statements, in order. */
  readonly statements: readonly StatementClass[];
  /** Every statement node in the tree, nested ones (EXPLAIN's target) included. */
  readonly allStatements: readonly StatementClass[];
  /** A `TABLE(fn(...))` table function invocation appears somewhere in the tree. */
  readonly hasTableFunction: boolean;
}

type Constructor = abstract new (...args: never[]) => unknown;

/** The only statement alternatives that may run. Everything else is "other". */
const STATEMENT_CLASSES: ReadonlyArray<readonly [Constructor, StatementClass]> = [
  [T.StatementDefaultContext, "query"],
  [T.ShowTablesContext, "show"],
  [T.ShowSchemasContext, "show"],
  [T.ShowCatalogsContext, "show"],
  // Trino parses both `SHOW COLUMNS FROM t` and `DESCRIBE t` as showColumns; the guard tells
  // them apart by the first keyword.
  [T.ShowColumnsContext, "show"],
  [T.ShowCreateTableContext, "show"],
  [T.ShowCreateViewContext, "show"],
  [T.ShowCreateSchemaContext, "show"],
  [T.ShowCreateMaterializedViewContext, "show"],
  [T.ShowStatsContext, "show"],
  [T.ShowStatsForQueryContext, "show"],
  [T.ShowFunctionsContext, "show"],
  [T.DescribeInputContext, "describe"],
  [T.DescribeOutputContext, "describe"],
];

interface TreeNode {
  children?: TreeNode[] | null;
}

function classify(node: TreeNode): StatementClass {
  for (const [ctor, cls] of STATEMENT_CLASSES) {
    if (node instanceof ctor) return cls;
  }
  return "other";
}

let trino: TrinoSQL | undefined;

/** Parses `sql` with the Trino grammar; never prints, never throws on bad SQL. */
export function parseTrino(sql: string): GrammarResult {
  trino ??= new TrinoSQL();
  const errors: GrammarError[] = [];
  const tree = trino.parse(sql, (error) => {
    errors.push({ message: error.message, line: error.startLine, column: error.startColumn });
  }) as unknown as TreeNode;

  const statements: StatementClass[] = [];
  const allStatements: StatementClass[] = [];
  let hasTableFunction = false;
  const stack: TreeNode[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node instanceof T.SingleStatementContext) {
      const statement = node.children?.find((child) => child instanceof T.StatementContext);
      statements.push(statement ? classify(statement) : "other");
    }
    if (node instanceof T.StatementContext) allStatements.push(classify(node));
    if (node instanceof T.TableFunctionInvocationContext) hasTableFunction = true;
    if (node.children) stack.push(...[...node.children].reverse());
  }
  return { errors, statements, allStatements, hasTableFunction };
}
