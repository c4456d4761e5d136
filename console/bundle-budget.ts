/**
 * The console's bundle-size budget (vite.config.ts): the first load is index.html's entry chunk, the
 * chunks it imports statically (transitively) and their CSS; its gzipped size must stay within the
 * budget or the build fails. Chunks behind a dynamic import() (the charts) are not first load.
 */
import { gzipSync } from "node:zlib";

/** 300 KB gzipped for the first load (issue 17). */
export const FIRST_LOAD_BUDGET_BYTES = 300 * 1024;

interface ChunkLike {
  type: "chunk" | "asset";
  fileName: string;
  code?: string;
  source?: string | Uint8Array;
  isEntry?: boolean;
  imports?: string[];
  viteMetadata?: { importedCss?: Set<string> };
}

/** The first-load files: entry chunks, their static imports (transitively) and their CSS. */
export function firstLoadFiles(bundle: Record<string, ChunkLike>): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const item = bundle[name];
    if (!item) return;
    seen.add(name);
    for (const css of item.viteMetadata?.importedCss ?? []) seen.add(css);
    for (const dep of item.imports ?? []) visit(dep);
  };
  for (const item of Object.values(bundle)) if (item.type === "chunk" && item.isEntry) visit(item.fileName);
  return [...seen].sort();
}

/** The part of a Vite/Rolldown plugin the budget uses (declared here so the root tsc needs no Vite types). */
export interface BudgetPlugin {
  readonly name: string;
  readonly apply: "build";
  generateBundle(
    this: { error(message: string): never; info(message: string): void },
    options: unknown,
    bundle: Record<string, unknown>,
  ): void;
}

export function bundleBudget(budget: number): BudgetPlugin {
  return {
    name: "finops-first-load-budget",
    apply: "build",
    generateBundle(_options, bundle) {
      const items = bundle as unknown as Record<string, ChunkLike>;
      const files = firstLoadFiles(items);
      let total = 0;
      const lines: string[] = [];
      for (const f of files) {
        const item = items[f]!;
        const content = item.type === "chunk" ? (item.code ?? "") : (item.source ?? "");
        const gz = gzipSync(typeof content === "string" ? Buffer.from(content) : content).length;
        total += gz;
        lines.push(`  ${f}: ${(gz / 1024).toFixed(1)} KB gzipped`);
      }
      const summary = `first load ${(total / 1024).toFixed(1)} KB gzipped (budget ${(budget / 1024).toFixed(0)} KB):\n${lines.join("\n")}`;
      if (total > budget)
        this.error(
          `the console's ${summary}\nover budget: move heavy code behind a dynamic import() (as the charts are) or remove a dependency`,
        );
      this.info(summary);
    },
  };
}
