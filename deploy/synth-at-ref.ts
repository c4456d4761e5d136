import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { configAtRef, gitTopLevel } from "./retirement";
import { lastLines } from "./terraform";

/**
 * Synthesizes a git ref's own code and config in a temporary worktree (sharing this checkout's
 * node_modules), into `outdir`. A config file outside the repository has no copy at the ref: it is
 * refused (the plan then plans every stack: the ref's config is unknown), unless the caller asks to
 * use that same file for the ref (`sameConfigOutsideRepo`, synth:compare's review of code changes). Returns undefined, with the reason, when that is not possible
 * (the ref predates the deploy tooling, or its config does not exist): the caller then plans all.
 */
export function synthAtRef(
  ref: string,
  configFile: string,
  outdir: string,
  env: NodeJS.ProcessEnv,
  sameConfigOutsideRepo = false,
): { ok: true } | { ok: false; reason: string } {
  const top = gitTopLevel();
  const rel = path.relative(top, path.resolve(configFile));
  // A config inside the repository is the ref's own copy; one outside it, if asked, the same file.
  const outside = sameConfigOutsideRepo && (rel.startsWith("..") || path.isAbsolute(rel));
  if (!outside && configAtRef(ref, configFile) === undefined) {
    return { ok: false, reason: `${rel} does not exist at ${ref}` };
  }
  const tree = mkdtempSync(path.join(os.tmpdir(), "finops-base-"));
  const git = (args: string[]) => spawnSync("git", args, { cwd: top, encoding: "utf8" });
  const add = git(["worktree", "add", "--detach", "--force", tree, ref]);
  if (add.status !== 0) {
    rmSync(tree, { recursive: true, force: true });
    return { ok: false, reason: `git worktree add failed: ${lastLines(add.stderr, 3)}` };
  }
  try {
    symlinkSync(path.join(top, "node_modules"), path.join(tree, "node_modules"), "dir");
    const built = buildConsoleAtRef(
      tree,
      outside ? readFileSync(path.resolve(configFile), "utf8") : configAtRef(ref, configFile),
      env,
    );
    if (!built.ok) return { ok: false, reason: `synth at ${ref} failed: ${built.reason}` };
    const script = path.join(tree, ".finops-base-synth.ts");
    writeFileSync(
      script,
      [
        'import { loadAccountConfig } from "./config/load";',
        'import { synthLanding } from "./deploy/synth";',
        "synthLanding(loadAccountConfig(process.argv[2]!), process.argv[3]!);",
        "",
      ].join("\n"),
    );
    const tsx = path.join(top, "node_modules", ".bin", "tsx");
    const r = spawnSync(tsx, [script, outside ? path.resolve(configFile) : rel, path.resolve(outdir)], {
      cwd: tree,
      encoding: "utf8",
      // Same local directory as the current synth, so local backend paths resolve alike.
      env: { ...env, FINOPS_LOCAL_DIR: path.resolve(env.FINOPS_LOCAL_DIR || ".local") },
    });
    if (r.status !== 0) {
      return { ok: false, reason: `synth at ${ref} failed: ${lastLines(r.stderr || r.stdout, 4)}` };
    }
    return { ok: true };
  } finally {
    git(["worktree", "remove", "--force", tree]);
    rmSync(tree, { recursive: true, force: true });
    git(["worktree", "prune"]);
  }
}

/**
 * The admin stack of a target-aws config uploads the built finance console (modules/console-hosting),
 * and a fresh worktree has no build: the ref's console is built there with the ref's own
 * `npm run console:build`, so a console change shows as a change of the admin stack. Nothing is built
 * when FINOPS_CONSOLE_DIST names a finished build (both sides then use it), for a target-local
 * config (no hosting), or at a ref that predates the console.
 */
export function buildConsoleAtRef(
  tree: string,
  configText: string | undefined,
  env: NodeJS.ProcessEnv,
): { ok: true } | { ok: false; reason: string } {
  if (env.FINOPS_CONSOLE_DIST || !existsSync(path.join(tree, "console", "vite.config.ts")))
    return { ok: true };
  let target: unknown;
  try {
    target = (parseYaml(configText ?? "") as { target?: unknown } | null)?.target;
  } catch {
    return { ok: true }; // the synth itself reports the unreadable config
  }
  if (target !== "aws") return { ok: true };
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["run", "-s", "console:build"], { cwd: tree, encoding: "utf8", env });
  return r.status === 0
    ? { ok: true }
    : { ok: false, reason: `npm run console:build: ${lastLines(r.stderr || r.stdout, 4)}` };
}
