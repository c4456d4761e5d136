import { spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Target } from "../config/target";
import { reportBundlesTo } from "../modules/bundled-function";
import type { LandingStackInfo } from "../stacks/landing";

/**
 * What the CDKTF app (main.ts) arranges so that the plain cdktf CLI (`cdktf diff | deploy | output |
 * destroy`) works as the tools do, offline too, with no extra flags (README "Using the cdktf CLI").
 *
 * The cdktf CLI runs `terraform init` in each stack directory and, unless a `.terraform.lock.hcl`
 * there already locks the required provider version, `terraform providers lock`, which asks the
 * public registry (it never reads a mirror). With TF_PROVIDER_MIRROR set, the synth therefore
 * leaves two things in every stack directory:
 *  - `.terraform.lock.hcl`, locking the mirror's AWS provider (its hash as `terraform providers lock
 *    -fs-mirror` computes it), so cdktf skips the registry lock;
 *  - `terraform.d/plugins` → the mirror: Terraform's implicit local mirror directory, so `terraform
 *    init` installs (links) the provider from the mirror without a CLI config. A CLI config with its
 *    own provider_installation block turns that off; the synth then says what to add.
 */

/** One informational line (stdout under the cdktf CLI) or a problem worth the red (stderr). */
export interface CliNote {
  readonly level: "info" | "problem";
  readonly text: string;
}

/** The cdktf CLI prints an app's stderr as [ERROR]: informational lines go to stdout. */
export function sendInfoToStdout(): void {
  reportBundlesTo((line) => process.stdout.write(`${line}\n`));
}

export const LOCK_FILE = ".terraform.lock.hcl";
export const IMPLICIT_MIRROR = path.join("terraform.d", "plugins");

/** Provider source → exact version the synthesized stack requires (terraform.required_providers). */
export function requiredProviders(stackJson: unknown): Map<string, string> {
  const req = (
    stackJson as {
      terraform?: { required_providers?: Record<string, { source?: string; version?: string }> };
    }
  ).terraform?.required_providers;
  const out = new Map<string, string>();
  for (const [name, p] of Object.entries(req ?? {})) {
    const source = p.source ?? name;
    const full = source.split("/").length === 1 ? `registry.terraform.io/hashicorp/${source}` : source;
    out.set(full.split("/").length === 2 ? `registry.terraform.io/${full}` : full, p.version ?? "");
  }
  return out;
}

/** Whether a lock file's text locks every required provider at its exact required version. */
export function lockSatisfies(lockText: string, required: ReadonlyMap<string, string>): boolean {
  for (const [source, version] of required) {
    const block = new RegExp(
      `provider "${source.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}" \\{([^}]*)\\}`,
    ).exec(lockText);
    if (!block) return false;
    const locked = /\n\s*version\s*=\s*"([^"]+)"/.exec(block[1]!)?.[1];
    if (!locked || (version && locked !== version)) return false;
    if (!/"h1:[^"]+"/.test(block[1]!)) return false;
  }
  return true;
}

/**
 * The lock file Terraform itself writes for `required` from the mirror (`terraform providers lock
 * -fs-mirror=<mirror>`, for this machine's platform), computed in a scratch directory.
 */
export function lockFromMirror(
  mirror: string,
  required: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv,
): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "finops-lock-"));
  try {
    const providers = Object.fromEntries(
      [...required].map(([source, version]) => [
        source.split("/").pop()!,
        { source: source.replace(/^registry\.terraform\.io\//, ""), version },
      ]),
    );
    writeFileSync(
      path.join(dir, "main.tf.json"),
      JSON.stringify({ terraform: { required_providers: providers } }),
    );
    const r = spawnSync(
      env.FINOPS_TERRAFORM || "terraform",
      ["providers", "lock", "-no-color", `-fs-mirror=${path.resolve(mirror)}`],
      { cwd: dir, env: { ...env, CHECKPOINT_DISABLE: "1" }, encoding: "utf8" },
    );
    if (r.error)
      throw new Error(
        `could not run terraform (${r.error.message}); install Terraform >= 1.10 and put it on PATH`,
      );
    if (r.status !== 0) {
      const wanted = [...required].map(([s, v]) => `${s} ${v}`).join(", ");
      throw new Error(
        `TF_PROVIDER_MIRROR=${mirror} does not hold ${wanted} for this platform (terraform providers lock -fs-mirror said: ${(r.stderr || r.stdout).trim().split("\n").slice(-4).join(" ")}); fill it with \`terraform providers mirror -platform=<os_arch> ${mirror}\` from a stack directory`,
      );
    }
    return readFileSync(path.join(dir, LOCK_FILE), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CLI config file Terraform reads (TF_CLI_CONFIG_FILE, else ~/.terraformrc), when it exists. */
export function cliConfigFile(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.TF_CLI_CONFIG_FILE?.trim() || path.join(env.HOME || os.homedir(), ".terraformrc");
  return existsSync(file) ? file : undefined;
}

/**
 * Readies each synthesized stack directory for the cdktf CLI (see the file comment) and returns
 * the lines to print. Without TF_PROVIDER_MIRROR nothing is written: the CLI uses the registry.
 */
export function prepareForCdktfCli(
  outdir: string,
  stacks: readonly LandingStackInfo[],
  target: Target,
  env: NodeJS.ProcessEnv = process.env,
): CliNote[] {
  const notes: CliNote[] = [];
  const mirror = env.TF_PROVIDER_MIRROR?.trim();
  if (!mirror) {
    notes.push({
      level: "info",
      text: 'providers  from registry.terraform.io (offline: set TF_PROVIDER_MIRROR=<provider mirror> and run the command again; README "Using the cdktf CLI")',
    });
  } else {
    if (!existsSync(path.join(mirror, "registry.terraform.io"))) {
      throw new Error(
        `TF_PROVIDER_MIRROR=${mirror} has no registry.terraform.io folder; point it at the directory \`terraform providers mirror\` wrote`,
      );
    }
    const absMirror = path.resolve(mirror);
    let lock: string | undefined;
    const written: string[] = [];
    for (const s of stacks) {
      const dir = path.join(outdir, "stacks", s.stack);
      const json = path.join(dir, "cdk.tf.json");
      if (!existsSync(json)) continue;
      const required = requiredProviders(JSON.parse(readFileSync(json, "utf8")));
      const lockFile = path.join(dir, LOCK_FILE);
      if (!(existsSync(lockFile) && lockSatisfies(readFileSync(lockFile, "utf8"), required))) {
        lock ??= lockFromMirror(absMirror, required, env);
        writeFileSync(lockFile, lock);
        written.push(s.stack);
      }
      linkImplicitMirror(dir, absMirror);
    }
    notes.push({
      level: "info",
      text: `providers  from the mirror ${absMirror}: linked as ${IMPLICIT_MIRROR} in every stack directory${written.length ? `; ${LOCK_FILE} written for ${written.join(", ")}` : ""}`,
    });
    const rc = cliConfigFile(env);
    if (rc) {
      const text = readFileSync(rc, "utf8");
      if (/^\s*provider_installation\s*\{/m.test(text) && !text.includes(absMirror)) {
        notes.push({
          level: "problem",
          text: `Terraform's CLI config ${rc} has its own provider_installation block, so terraform init will not look in ${IMPLICIT_MIRROR}. Offline, add to that block: filesystem_mirror { path = "${absMirror}" include = ["registry.terraform.io/hashicorp/*"] }, or set TF_CLI_CONFIG_FILE to a config that has it (npm run local writes one: .local/terraformrc).`,
        });
      }
    }
  }
  const ordered = stacks.filter((s) => s.dependsOn.length);
  for (const s of ordered) {
    const deps = s.dependsOn.join(" ");
    const why = s.kind === "payer" ? " (the payer replicates CUR into the admin's bucket)" : "";
    notes.push({
      level: "info",
      text: `order      ${s.stack} needs ${deps} first${why}: cdktf deploy ${deps} ${s.stack}; with ${deps} already applied: cdktf deploy ${s.stack} --ignore-missing-stack-dependencies; destroy with cdktf destroy ${s.stack} ${deps}`,
    });
  }
  if (target.kind === "local") {
    notes.push({
      level: "info",
      text: `target     local: the emulated organization at ${target.endpoint} (npm run local brings it up), state in ${shortPath(target.stateDir)}`,
    });
  }
  return notes;
}

/** Points <stackDir>/terraform.d/plugins at the mirror (replacing a link to another place). */
function linkImplicitMirror(stackDir: string, mirror: string): void {
  const link = path.join(stackDir, IMPLICIT_MIRROR);
  try {
    const st = lstatSync(link);
    if (st.isSymbolicLink() && path.resolve(path.dirname(link), readlinkSync(link)) === mirror) return;
    rmSync(link, { recursive: true, force: true });
  } catch {
    // not there yet
  }
  mkdirSync(path.dirname(link), { recursive: true });
  symlinkSync(mirror, link, "junction");
}

/** A path relative to the working directory when it lies below it, else absolute. */
function shortPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p;
}
