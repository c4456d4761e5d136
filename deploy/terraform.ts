import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * Runs the Terraform CLI in synthesized stack directories (cdktf.out/stacks/<stack>).
 * One shared provider setup for every stack: a CLI config with the provider mirror from
 * TF_PROVIDER_MIRROR (the layout `terraform providers mirror` writes) and a plugin cache, so the
 * 700 MB AWS provider is linked into each stack rather than copied. `terraform init` is serialised
 * (the plugin cache is not safe for concurrent installs); plans and applies run in parallel.
 */
export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment for every Terraform run. Writes <workDir>/terraformrc when a mirror is configured. */
export function terraformEnv(workDir: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...env,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    // The plugin cache may be used although no lock file names its checksums yet.
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "true",
  };
  const mirror = env.TF_PROVIDER_MIRROR?.trim();
  if (mirror) {
    if (!existsSync(path.join(mirror, "registry.terraform.io"))) {
      throw new Error(
        `TF_PROVIDER_MIRROR=${mirror} has no registry.terraform.io folder; point it at the directory \`terraform providers mirror\` wrote`,
      );
    }
    const cache = path.resolve(workDir, "plugin-cache");
    mkdirSync(cache, { recursive: true });
    const rc = path.resolve(workDir, "terraformrc");
    writeFileSync(
      rc,
      [
        "# Written by finops-landing from TF_PROVIDER_MIRROR; safe to delete.",
        `plugin_cache_dir = ${JSON.stringify(cache)}`,
        "provider_installation {",
        "  filesystem_mirror {",
        `    path    = ${JSON.stringify(path.resolve(mirror))}`,
        '    include = ["registry.terraform.io/hashicorp/*"]',
        "  }",
        "  direct {",
        '    exclude = ["registry.terraform.io/hashicorp/*"]',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    out.TF_CLI_CONFIG_FILE = rc;
  }
  return out;
}

export function runTerraform(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine?: (line: string) => void,
): Promise<TerraformResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.FINOPS_TERRAFORM || "terraform", args, {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.on("data", (d: Buffer) => {
      const s = d.toString();
      stdout += s;
      if (onLine) {
        const lines = (partial + s).split("\n");
        partial = lines.pop() ?? "";
        for (const l of lines) onLine(l);
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", (e) =>
      reject(
        new Error(`could not run terraform (${e.message}); install Terraform >= 1.10 and put it on PATH`),
      ),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** A simple mutex: `terraform init` runs one at a time against the shared plugin cache. */
let initChain: Promise<unknown> = Promise.resolve();

export function terraformInit(stackDir: string, env: NodeJS.ProcessEnv): Promise<TerraformResult> {
  const run = initChain.then(async () =>
    withInitHint(await runTerraform(stackDir, ["init", "-input=false", "-no-color"], env), env),
  );
  initChain = run.catch(() => undefined);
  return run;
}

/**
 * A failed init that could not reach the provider registry, with no mirror configured, gets the fix
 * appended: on an offline machine the provider comes from a mirror named by TF_PROVIDER_MIRROR.
 */
export function withInitHint(result: TerraformResult, env: NodeJS.ProcessEnv): TerraformResult {
  if (result.code === 0 || env.TF_PROVIDER_MIRROR?.trim()) return result;
  const text = `${result.stderr}\n${result.stdout}`;
  if (!/registry\.terraform\.io|Failed to query available provider packages|could not connect/i.test(text))
    return result;
  return {
    ...result,
    stderr: `${result.stderr}\nThe AWS provider could not be downloaded from the registry. Offline? Set TF_PROVIDER_MIRROR to a provider mirror (the folder holding registry.terraform.io/hashicorp/aws/5.100.0, as \`terraform providers mirror <dir>\` writes it) and run again; see README "Offline provider mirror".`,
  };
}

export function terraformApply(
  stackDir: string,
  env: NodeJS.ProcessEnv,
  planFile?: string,
): Promise<TerraformResult> {
  return runTerraform(
    stackDir,
    ["apply", "-input=false", "-no-color", ...(planFile ? [planFile] : ["-auto-approve"])],
    env,
  );
}

/** `terraform plan -detailed-exitcode`: code 0 no changes, 2 changes, 1 error. */
export function terraformPlan(
  stackDir: string,
  env: NodeJS.ProcessEnv,
  planFile: string,
  extra: string[] = [],
): Promise<TerraformResult> {
  return runTerraform(
    stackDir,
    ["plan", "-input=false", "-no-color", "-detailed-exitcode", `-out=${planFile}`, ...extra],
    env,
  );
}

export async function terraformShowJson(
  stackDir: string,
  env: NodeJS.ProcessEnv,
  planFile: string,
): Promise<unknown> {
  const r = await runTerraform(stackDir, ["show", "-json", planFile], env);
  if (r.code !== 0) throw new Error(`terraform show failed in ${stackDir}: ${lastLines(r.stderr)}`);
  return JSON.parse(r.stdout);
}

/** The end of Terraform's error output, for one-line reports. */
export function lastLines(text: string, n = 12): string {
  return text.trim().split("\n").slice(-n).join("\n");
}
