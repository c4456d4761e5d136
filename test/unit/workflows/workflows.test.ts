import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/**
 * The GitOps workflows (.github/workflows/*.yml), read as GitHub reads them (YAML), hold the order
 * and the boundaries issue 15 asks for: dependencies are installed, without install scripts, before
 * any AWS credentials exist; the checkout leaves no token behind; saved plans never become an
 * artifact (they go to the state bucket through npm run plan:store); the apply fetches the
 * reviewed plans by hash before deploying; every npm script a workflow calls exists.
 * Step semantics taken from GitHub's docs: actions/checkout's `persist-credentials` input
 * (https://github.com/actions/checkout#usage, "Whether to configure the token or SSH key with the
 * local git config"), aws-actions/configure-aws-credentials exports the role's credentials as
 * environment variables for the following steps (https://github.com/aws-actions/configure-aws-credentials).
 */

const ROOT = path.join(__dirname, "../../..");
const DIR = path.join(ROOT, ".github/workflows");
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  steps: Step[];
  environment?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown> };
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const files = readdirSync(DIR).filter((f) => f.endsWith(".yml"));
const workflows: Record<string, Workflow> = Object.fromEntries(
  files.map((f) => [f, parse(readFileSync(path.join(DIR, f), "utf8")) as Workflow]),
);
const jobs = Object.entries(workflows).flatMap(([file, w]) =>
  Object.entries(w.jobs).map(([name, job]) => ({ at: `${file} ${name}`, file, job })),
);

/** A GitHub expression as written in the YAML: ${{ <text> }}. */
const expr = (text: string) => `\${{ ${text} }}`;
const action = (s: Step) => s.uses?.split("@")[0];
const index = (steps: Step[], pred: (s: Step) => boolean) => steps.findIndex(pred);
const isCredentials = (s: Step) => action(s) === "aws-actions/configure-aws-credentials";
const runs = (s: Step, text: string) => (s.run ?? "").includes(text);
/** The job synthesizes the landing (npm run plan, deploy or drift; not plan:merge). */
const synthesizes = (job: Job) =>
  job.steps.some((s) => /npm run (?:-s )?(?:plan|deploy|drift)(?![\w:-])/.test(s.run ?? ""));
const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";

describe("the GitOps workflows", () => {
  it("are the three this project ships", () => {
    expect(files.sort()).toEqual(["apply.yml", "drift.yml", "plan.yml"]);
  });

  it.each(jobs)("$at: checks out without keeping the token (persist-credentials: false)", ({ job }) => {
    const checkouts = job.steps.filter((s) => action(s) === "actions/checkout");
    expect(checkouts.length).toBeGreaterThan(0);
    for (const c of checkouts) expect(c.with?.["persist-credentials"]).toBe(false);
  });

  it.each(jobs)(
    "$at: installs dependencies with npm ci --ignore-scripts before any AWS credentials",
    ({ job }) => {
      const install = index(job.steps, (s) => /\bnpm ci\b/.test(s.run ?? ""));
      // A job without AWS credentials (plan.yml's changes and merge) has none to protect.
      const creds = job.steps.some(isCredentials) ? index(job.steps, isCredentials) : job.steps.length;
      expect(install).toBeGreaterThanOrEqual(0);
      expect(creds).toBeGreaterThan(install);
      // exactly one install, and it runs no package's install scripts
      const installs = job.steps.filter((s) => /\bnpm (ci|install|i)\b/.test(s.run ?? ""));
      expect(installs.map((s) => s.run!.trim())).toEqual(["npm ci --ignore-scripts"]);
      // nothing after the credentials installs or rebuilds packages
      for (const s of job.steps.slice(creds))
        expect(s.run ?? "").not.toMatch(/\bnpm (ci|install|i|rebuild)\b|\bnpx\b/);
    },
  );

  it.each(jobs.filter(({ job }) => synthesizes(job)))(
    "$at: builds the finance console after the install and before any AWS credentials (the admin stack of a target-aws config uploads it)",
    ({ job }) => {
      const install = index(job.steps, (s) => /\bnpm ci\b/.test(s.run ?? ""));
      const build = index(job.steps, (s) => runs(s, "npm run -s console:build"));
      expect(build).toBeGreaterThan(install);
      const creds = job.steps.some(isCredentials) ? index(job.steps, isCredentials) : job.steps.length;
      expect(creds).toBeGreaterThan(build);
    },
  );

  it("every job that synthesizes is one of those the console-build check covers", () => {
    expect(jobs.filter(({ job }) => synthesizes(job)).map((j) => j.at)).toEqual([
      "apply.yml apply",
      "drift.yml drift",
      "plan.yml changes",
      "plan.yml plan",
    ]);
  });

  it.each(jobs)("$at: uploads no saved plan (no plans/ directory, no .tfplan, no plan JSON)", ({ job }) => {
    for (const s of job.steps.filter((x) => action(x) === "actions/upload-artifact")) {
      const paths = String(s.with?.path)
        .split("\n")
        .map((p) => p.trim())
        .filter(Boolean);
      for (const p of paths) {
        expect(p).not.toMatch(/(^|\/)plans(\/|$)|\.tfplan$|stacks\.json$/);
      }
    }
  });

  it.each(jobs)(
    "$at: calls only npm scripts that exist, and no pull-request text inline in a shell",
    ({ job }) => {
      for (const s of job.steps) {
        for (const m of (s.run ?? "").matchAll(/npm run (?:-s )?([\w:-]+)/g)) {
          expect(Object.keys(PACKAGE.scripts)).toContain(m[1]);
        }
        // Values from the event go through env:, never ${{ }} inside run (script injection).
        expect(s.run ?? "").not.toMatch(/\$\{\{\s*(github\.event|steps\.)/);
      }
    },
  );

  it("plan.yml: plans each shard through the plan role's read-only profiles, stores its plans, uploads only its summaries and receipt", () => {
    const job = workflows["plan.yml"]!.jobs.plan!;
    const { steps } = job;
    const creds = steps.find(isCredentials)!;
    expect(creds.with?.["role-to-assume"]).toBe(expr("vars.FINOPS_PLAN_ROLE_ARN"));
    const profiles = index(steps, (s) => runs(s, "aws-profiles -- --role plan"));
    const plan = index(steps, (s) => runs(s, "npm run plan --"));
    const store = index(steps, (s) => runs(s, "plan:store -- put"));
    const upload = index(steps, (s) => action(s) === "actions/upload-artifact");
    expect(index(steps, isCredentials)).toBeLessThan(profiles);
    expect([profiles < plan, plan < store, store < upload]).toEqual([true, true, true]);
    // its shard of the changed stacks, against the one base commit the changes job resolved
    expect(steps[plan]!.run).toContain(
      '--changed-only --base "$BASE_SHA" --shard "$SHARD/$SHARDS" --guard --no-lock --out plan-out',
    );
    expect(steps[plan]!.env).toMatchObject({
      BASE_SHA: expr("needs.changes.outputs.base"),
      SHARD: expr("matrix.shard"),
      SHARDS: expr("needs.changes.outputs.shards"),
    });
    expect(steps[store]!.run).toContain("--dir plan-out");
    // keyed by the pull request and its head commit, passed through the environment
    expect(steps[store]!.env).toEqual({
      PR_NUMBER: expr("github.event.pull_request.number"),
      HEAD_SHA: expr("github.event.pull_request.head.sha"),
    });
    expect(steps[store]!.run).toContain('--pr "$PR_NUMBER" --commit "$HEAD_SHA"');
    expect(String(steps[upload]!.with?.path).trim().split("\n")).toEqual([
      "plan-out/summary.md",
      "plan-out/summary.json",
      "plan-out/plan-store.json",
    ]);
    // one artifact per shard, so the shards' receipts never overwrite each other
    expect(steps[upload]!.with?.name).toBe(
      `finops-plan-pr-${expr("github.event.pull_request.number")}-shard-${expr("matrix.shard")}`,
    );
    // the comment is the merge job's, over every shard
    expect(steps.some((s) => action(s) === "actions/github-script")).toBe(false);
    expect(workflows["plan.yml"]!.on).toHaveProperty("pull_request");
  });

  it("plan.yml: a changes job without AWS access sizes the matrix from repository variables", () => {
    const { changes } = workflows["plan.yml"]!.jobs;
    expect(changes!.if).toBe(FORK_GUARD);
    expect(changes!.permissions).toEqual({ contents: "read" });
    expect(changes!.steps.some(isCredentials)).toBe(false);
    const list = changes!.steps.find((s) => runs(s, "--list-only"))!;
    expect(list.run).toContain(
      'npm run -s plan -- --changed-only --list-only --base "$base" --shard-threshold "$SHARD_THRESHOLD" --max-shards "$MAX_SHARDS"',
    );
    expect(list.env).toEqual({
      BASE_REF: expr("github.base_ref"),
      SHARD_THRESHOLD: expr("vars.FINOPS_PLAN_SHARD_THRESHOLD || '25'"),
      MAX_SHARDS: expr("vars.FINOPS_PLAN_MAX_SHARDS || '20'"),
    });
    for (const out of ["base", "shards", "matrix"]) {
      expect(list.run).toContain(`echo "${out}=`);
      expect(changes!.outputs?.[out]).toBe(expr(`steps.${list.id}.outputs.${out}`));
    }
  });

  it("plan.yml: the plan job is a matrix over the shards that every shard finishes (no fail-fast)", () => {
    const { plan } = workflows["plan.yml"]!.jobs;
    expect(plan!.needs).toBe("changes");
    expect(plan!.if).toBe(FORK_GUARD);
    expect(plan!.strategy).toEqual({
      "fail-fast": false,
      matrix: { shard: expr("fromJSON(needs.changes.outputs.matrix)") },
    });
    expect(plan!.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("plan.yml: a merge job after every shard, without AWS access, merges the summaries, comments once, and fails the check on the guard", () => {
    const { merge } = workflows["plan.yml"]!.jobs;
    expect(merge!.needs).toEqual(["changes", "plan"]);
    // always(): it also runs, and reports, when a shard failed
    expect(merge!.if).toBe(`always() && ${FORK_GUARD} && needs.changes.result == 'success'`);
    expect(merge!.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const { steps } = merge!;
    expect(steps.some(isCredentials)).toBe(false);
    const download = index(steps, (s) => action(s) === "actions/download-artifact");
    const run = index(steps, (s) => runs(s, "npm run -s plan:merge --"));
    const comment = index(steps, (s) => action(s) === "actions/github-script");
    expect([download < run, run < comment]).toEqual([true, true]);
    expect(steps[download]!.with).toEqual({
      pattern: `finops-plan-pr-${expr("github.event.pull_request.number")}-shard-*`,
      path: "shards",
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion, not a template
    expect(steps[run]!.run).toContain('--out plan-out --expect-shards "$SHARDS" "${dirs[@]}"');
    // each artifact in its own folder, or one artifact extracted flat
    expect(steps[run]!.run).toContain("dirs=(shards/*/)");
    expect(steps[run]!.run).toContain("if [ -f shards/summary.json ]; then dirs+=(shards); fi");
    // no `if`: a failed merge (a missing shard, a failed guard) fails the job and so the check
    expect(steps[run]!.if).toBeUndefined();
    expect(steps[run]!.env).toEqual({
      FINOPS_ALLOW_DATA_STORE_DESTROY: expr(
        "contains(github.event.pull_request.labels.*.name, 'allow-data-store-destroy')",
      ),
      SHARDS: expr("needs.changes.outputs.shards"),
    });
    expect(steps[comment]!.if).toBe("always() && hashFiles('plan-out/summary.md') != ''");
    expect(String(steps[comment]!.with?.script)).toContain('fs.readFileSync("plan-out/summary.md"');
    // and the job fails (it is the check to require) when any shard's job did not succeed
    const shardsOk = index(steps, (s) => runs(s, '[ "$PLAN_RESULT" != "success" ]'));
    expect(shardsOk).toBeGreaterThan(comment);
    expect(steps[shardsOk]!.env).toEqual({ PLAN_RESULT: expr("needs.plan.result") });
    expect(steps[shardsOk]!.run).toContain("exit 1");
    // the one sticky comment of the workflow
    const commenting = Object.values(workflows["plan.yml"]!.jobs).filter((j) =>
      j.steps.some((s) => action(s) === "actions/github-script"),
    );
    expect(commenting).toEqual([merge]);
  });

  it("apply.yml: runs in the production environment, fetches every shard's reviewed plans by hash, then deploys them", () => {
    const job = workflows["apply.yml"]!.jobs.apply!;
    const { steps } = job;
    expect(job.environment).toBe("production");
    expect(steps.find(isCredentials)!.with?.["role-to-assume"]).toBe(expr("vars.FINOPS_APPLY_ROLE_ARN"));
    const receipt = index(steps, (s) => action(s) === "actions/download-artifact");
    const get = index(steps, (s) => runs(s, "plan:store -- get"));
    const deploy = index(steps, (s) => runs(s, "npm run deploy --"));
    expect([receipt < get, get < deploy]).toEqual([true, true]);
    expect(steps[receipt]!.with?.path).toBe("plan-receipt");
    // the plan run's shard artifacts (summaries and receipts), not plans
    expect(steps[receipt]!.with?.pattern).toBe(`finops-plan-pr-${expr("steps.pr.outputs.number")}-shard-*`);
    expect(steps[receipt]!.with?.["run-id"]).toBe(expr("steps.pr.outputs.run_id"));
    expect(steps[get]!.run).toContain("--dir plan-out");
    // one --receipt per shard: get refuses an incomplete set
    expect(steps[get]!.run).toContain(
      "for r in plan-receipt/plan-store.json plan-receipt/*/plan-store.json; do",
    );
    expect(steps[get]!.run).toContain('if [ -f "$r" ]; then receipts+=(--receipt "$r"); fi');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion, not a template
    expect(steps[get]!.run).toContain('"${receipts[@]}"');
    expect(steps[get]!.env).toEqual({
      PR_NUMBER: expr("steps.pr.outputs.number"),
      HEAD_SHA: expr("steps.pr.outputs.head_sha"),
    });
    expect(steps[deploy]!.run).toContain("--plans plan-out");
  });

  it("drift.yml: plans with the plan role's read-only profiles", () => {
    const { steps } = workflows["drift.yml"]!.jobs.drift!;
    expect(steps.find(isCredentials)!.with?.["role-to-assume"]).toBe(expr("vars.FINOPS_PLAN_ROLE_ARN"));
    expect(steps.some((s) => runs(s, "aws-profiles -- --role plan"))).toBe(true);
  });
});

describe("npm ci --ignore-scripts is enough for the workflows", () => {
  // Every package of the lock file that has an install script, and why the workflows can skip it.
  // A new one fails here: decide whether the workflows need it (then run that one script
  // explicitly, before the credentials step) and add it with the reason.
  const SKIPPABLE: Record<string, string> = {
    // lib/main.js resolves the binary from the optional dependency @esbuild/<platform> when the
    // postinstall (which only verifies and relinks it) did not run.
    esbuild: "binary from @esbuild/<platform>",
    // binding.js loads @swc/core-<platform>; postinstall only falls back to wasm when that is missing.
    "@swc/core": "binary from @swc/core-<platform>",
    // only the cdktf CLI's interactive terminal uses it; the workflows run Terraform directly.
    "@cdktf/node-pty-prebuilt-multiarch": "cdktf CLI only",
    // file watcher of the dev server; prebuilt in @parcel/watcher-<platform>, unused by the workflows.
    "@parcel/watcher": "dev server only",
  };

  it("lists every package with an install script", () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([k]) => k.replace(/^.*node_modules\//, ""))
      .sort();
    expect(withScripts).toEqual(Object.keys(SKIPPABLE).sort());
  });
});
