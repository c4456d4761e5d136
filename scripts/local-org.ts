import { rmSync } from "node:fs";
import * as path from "node:path";
import { loadAccountConfig } from "../config/load";
import type { AccountConfig } from "../config/schema";
import { applyStack, type StackOutcome } from "../deploy/apply";
import { policyFromConfig } from "../deploy/deploy";
import { synthLanding } from "../deploy/synth";
import { terraformEnv } from "../deploy/terraform";
import { runRollout } from "../deploy/waves";
import { type BootstrapResult, bootstrapOrganization } from "../emulator/bootstrap-org";
import { emulateCurPipeline } from "../emulator/cur/local-delivery";
import { createDemoUsers, demoUsersReport } from "../emulator/demo-users";
import { ensureGapFiller, ensureMoto, type LocalService, stopLocalServices } from "../emulator/moto-server";
import { renderPipeline, runDataPipeline } from "../emulator/pipeline";
import { gapFillerPort, localDir, motoPort, targetFor } from "../modules/target";

/**
 * The local organization: the emulator, the organization inside it, and the landing deployed into
 * it. Used by `npm run local` / `npm run local:down` and by the integration tests.
 */
export interface LocalOptions {
  readonly configFile: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where synthesized stacks go. @default <localDir>/cdktf.out */
  readonly outdir?: string;
  readonly log?: (line: string) => void;
}

export interface LocalLanding {
  readonly config: AccountConfig;
  readonly emulator: LocalService;
  readonly gapFiller: LocalService;
  readonly organization: BootstrapResult;
  readonly outcomes: StackOutcome[];
}

export function loadLocalConfig(file: string): AccountConfig {
  const config = loadAccountConfig(file);
  if (config.target !== "local") {
    throw new Error(
      `${file} has target "${config.target}"; the local organization needs a config with target: local (e.g. accounts/local.yaml)`,
    );
  }
  return config;
}

export async function localUp(opts: LocalOptions): Promise<LocalLanding> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const config = loadLocalConfig(opts.configFile);
  const dir = localDir(env);
  const outdir = opts.outdir ?? path.join(dir, "cdktf.out");

  const emulator = await ensureMoto(motoPort(env), dir);
  log(
    `emulator   moto server at ${emulator.endpoint} (${emulator.startedHere ? `started, pid ${emulator.pid}` : "already running"})`,
  );

  const gapFiller = await ensureGapFiller(gapFillerPort(env), emulator.endpoint, dir);
  log(
    `gap-filler ${gapFiller.endpoint}: emulates what moto lacks (docs/local-emulator-gaps.md) (${gapFiller.startedHere ? `started, pid ${gapFiller.pid}` : "already running"})`,
  );

  const organization = await bootstrapOrganization(config, emulator.endpoint);
  log(
    `org        ${organization.organizationId}: ${organization.created.length} accounts created, ${organization.existing.length} already there; delegated admin ${organization.delegatedAdmin}`,
  );

  const stacks = synthLanding(config, outdir, targetFor(config, env));
  log(`synth      ${stacks.length} stacks → ${path.relative(process.cwd(), outdir) || outdir}`);

  const tfEnv = { ...terraformEnv(dir, env), FINOPS_MOTO_PORT: String(emulator.port) };
  const onEvent = (e: { stack: string; phase: string; outcome?: StackOutcome }) => {
    if (e.phase === "done" && e.outcome) {
      const o = e.outcome;
      log(
        `deploy     ${o.info.stack.padEnd(24)} ${o.status}${o.error ? `: ${o.error.split("\n")[0]}` : ""} (${o.seconds} s)`,
      );
    }
  };
  const run = (s: (typeof stacks)[number]) => applyStack(s, { outdir, env: tfEnv, onEvent });

  // Admin and payer first (the payer's replication needs the admin's bucket), then the members.
  const outcomes: StackOutcome[] = [];
  for (const s of stacks.filter((x) => x.kind !== "member")) {
    outcomes.push(await run(s));
  }
  // Members roll out as `npm run deploy` does: StackSet semantics from config.rollout (deploy/waves.ts).
  const members = stacks.filter((x) => x.kind === "member");
  if (outcomes.every((o) => o.status !== "failed")) {
    const applied = new Map<string, StackOutcome>();
    const rollout = await runRollout(members, {
      policy: policyFromConfig(config),
      runner: async (unit) => {
        const o = await run(members.find((m) => m.stack === unit.stack)!);
        applied.set(unit.stack, o);
        return { ok: o.status !== "failed", detail: o.error };
      },
    });
    for (const r of rollout.outcomes) {
      const info = members.find((m) => m.stack === r.unit.stack)!;
      outcomes.push(
        applied.get(r.unit.stack) ?? {
          info,
          status: "skipped",
          emulatorNoise: [],
          seconds: 0,
          error: r.detail,
        },
      );
    }
  } else {
    for (const m of members) {
      outcomes.push({
        info: m,
        status: "skipped",
        emulatorNoise: [],
        seconds: 0,
        error: "an earlier stack failed",
      });
    }
  }
  // What AWS would deliver after the payer stack: a CUR month and its replication (emulation, named so).
  if (outcomes.some((o) => o.info.kind === "payer" && (o.status === "applied" || o.status === "unchanged"))) {
    const { delivery } = await emulateCurPipeline({
      config,
      motoEndpoint: emulator.endpoint,
      dataExportsEndpoint: gapFiller.endpoint,
      log,
    });
    // The delegated admin's data platform on that month: account-sync and cur-ingest in-process (emulator/pipeline.ts).
    if (
      outcomes.some((o) => o.info.kind === "admin" && (o.status === "applied" || o.status === "unchanged"))
    ) {
      const result = await runDataPipeline({
        config,
        motoEndpoint: emulator.endpoint,
        billingPeriod: delivery.groundTruth.billingPeriod,
        log,
      });
      for (const line of renderPipeline(config, result).split("\n")) log(line);
    }
  }
  // One demo user per FinOps group in the admin's user pool, and example API calls (emulator/demo-users.ts).
  if (outcomes.some((o) => o.info.kind === "admin" && (o.status === "applied" || o.status === "unchanged"))) {
    const demo = await createDemoUsers(config, emulator.endpoint);
    for (const line of demoUsersReport(demo)) log(line);
  }
  return { config, emulator, gapFiller, organization, outcomes };
}

export function renderSummary(landing: LocalLanding): string {
  const rows = landing.outcomes.map((o) => [
    o.info.stack,
    `${o.info.accountName} (${o.info.accountId})`,
    o.info.regions.join(", "),
    o.resources === undefined ? "-" : String(o.resources),
    o.status === "applied" ? `applied: ${o.applied}` : o.status,
    o.clean === undefined ? "-" : o.clean ? "no changes" : "CHANGES PENDING",
  ]);
  const head = ["stack", "account", "regions", "resources", "result", "second plan"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const noise = [...new Set(landing.outcomes.flatMap((o) => o.emulatorNoise))];
  return [
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    noise.length
      ? `Emulator noise (ignored in the local target only, see docs/local-emulator-gaps.md): ${noise.join("; ")}`
      : "Emulator noise: none of the deployed resource types is on the emulator gap list.",
  ].join("\n");
}

export async function localDown(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const dir = localDir(env);
  const done = await stopLocalServices(dir);
  for (const sub of ["state", "cdktf.out"]) {
    rmSync(path.join(dir, sub), { recursive: true, force: true });
  }
  done.push(
    `removed local state and synthesized stacks under ${path.relative(process.cwd(), dir) || dir} (the provider plugin cache is kept)`,
  );
  return done;
}
