import { rmSync } from "node:fs";
import * as path from "node:path";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { loadAccountConfig } from "../config/load";
import { Names } from "../config/naming";
import type { AccountConfig } from "../config/schema";
import { gapFillerPort, localDir, motoPort, targetFor } from "../config/target";
import { applyStack, type StackOutcome } from "../deploy/apply";
import { policyFromConfig } from "../deploy/deploy";
import { synthLanding } from "../deploy/synth";
import { terraformEnv } from "../deploy/terraform";
import { runRollout } from "../deploy/waves";
import { clientConfigForAccount } from "../emulator/aws-clients";
import { listExportDefinitions } from "../emulator/data-exports-client";
import { ensureGapFiller, ensureMoto, type LocalService, stopLocalServices } from "../emulator/moto-server";
import type { OrgAccount } from "../functions/account-sync/sync";
import { type BootstrapResult, bootstrapOrganization } from "../local/bootstrap-org";
import { accountsInExport, type ExportRoot, ExportRootError, readExportRoot } from "../local/cur/export-root";
import { emulateCurPipeline, emulateReplayPipeline } from "../local/cur/local-delivery";
import { committedFigures, type ReplayPeriodFigures } from "../local/cur/replay-figures";
import { createDemoUsers, demoUsersReport } from "../local/demo-users";
import { renderPipeline, runDataPipeline } from "../local/pipeline";

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
  /** A synced Data Exports export root to deliver instead of the sample month (`npm run local -- --cur <dir>`). */
  readonly cur?: string;
}

export interface LocalLanding {
  readonly config: AccountConfig;
  readonly emulator: LocalService;
  readonly gapFiller: LocalService;
  readonly organization: BootstrapResult;
  readonly outcomes: StackOutcome[];
  /** The billing periods delivered and ingested (the sample month, or the replayed export's periods). */
  readonly periods: readonly string[];
  /** The replayed export, with `cur`. */
  readonly replay?: ExportRoot;
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
  // A replayed export is read (and refused, when the ingest would refuse it) before anything is deployed.
  const replay = opts.cur ? await readExportRoot(opts.cur) : undefined;
  if (replay?.kind === "focus") throw new ExportRootError(focusReplayHint(replay.root));
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
  // What AWS would deliver after the payer stack: a CUR month (the sample, or the team's own export)
  // and its replication (emulation, named so); then the delegated admin's data platform on it.
  let periods: string[] = [];
  if (outcomes.some((o) => o.info.kind === "payer" && (o.status === "applied" || o.status === "unchanged"))) {
    const adminUp = outcomes.some(
      (o) => o.info.kind === "admin" && (o.status === "applied" || o.status === "unchanged"),
    );
    periods = await deliverAndIngest({ config, emulator, gapFiller, replay, runPipeline: adminUp, log });
  }
  // One demo user per FinOps group in the admin's user pool, and example API calls (local/demo-users.ts).
  if (outcomes.some((o) => o.info.kind === "admin" && (o.status === "applied" || o.status === "unchanged"))) {
    const demo = await createDemoUsers(config, emulator.endpoint);
    for (const line of demoUsersReport(demo)) log(line);
  }
  return { config, emulator, gapFiller, organization, outcomes, periods, replay };
}

function focusReplayHint(root: string): string {
  return `${root}: a FOCUS export; the landing ingests CUR 2.0, so replay a CUR 2.0 export (the FOCUS summarizer, local/cur/focus-replay.ts, reads FOCUS exports)`;
}

/**
 * Delivers the sample month (or the replayed export's periods) where the payer's export points,
 * replicates it as configured, and (runPipeline) runs account-sync and cur-ingest on it in process.
 * Returns the billing periods delivered.
 */
async function deliverAndIngest(o: {
  readonly config: AccountConfig;
  readonly emulator: LocalService;
  readonly gapFiller: LocalService;
  readonly replay?: ExportRoot;
  readonly runPipeline: boolean;
  readonly log: (line: string) => void;
}): Promise<string[]> {
  const { config, log } = o;
  const common = {
    config,
    motoEndpoint: o.emulator.endpoint,
    dataExportsEndpoint: o.gapFiller.endpoint,
    log,
  };
  let periods: string[];
  let manifestKeys: string[] | undefined;
  let extraAccounts: OrgAccount[] = [];
  if (o.replay) {
    const { replay } = await emulateReplayPipeline({ ...common, root: o.replay });
    periods = replay.periods.map((p) => p.billingPeriod);
    manifestKeys = replay.periods.map((p) => p.manifestKey);
    extraAccounts = (await accountsInExport(o.replay)).map((a) => ({
      accountId: a.accountId,
      name: a.name,
      email: "",
      orgStatus: "UNKNOWN",
      stateSource: "none",
      parentId: "",
      ouName: "(from the replayed export)",
    }));
  } else {
    const { delivery } = await emulateCurPipeline(common);
    periods = [delivery.groundTruth.billingPeriod];
  }
  if (!o.runPipeline) return periods;
  const result = await runDataPipeline({
    config,
    motoEndpoint: o.emulator.endpoint,
    billingPeriod: periods[periods.length - 1]!,
    manifestKeys,
    extraAccounts,
    log,
  });
  for (const line of renderPipeline(config, result).split("\n")) log(line);
  return periods;
}

/**
 * `npm run cur:replay -- <export-root>`: replays a team's own export on the local organization. When
 * the landing is not up (no emulator, or no payer export / spend table in it), brings it up with the
 * export in place of the sample month (localUp); otherwise delivers and ingests it on the running one.
 * Returns the committed figures of every replayed period, read back as the API reads them.
 */
export async function replayCur(opts: LocalOptions & { readonly cur: string }): Promise<{
  readonly config: AccountConfig;
  readonly figures: ReplayPeriodFigures[];
  readonly accountNames: Map<string, string>;
}> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const config = loadLocalConfig(opts.configFile);
  const root = await readExportRoot(opts.cur);
  if (root.kind === "focus") throw new ExportRootError(focusReplayHint(root.root));
  log(
    `replay     ${root.root}: export ${root.exportName}, CUR 2.0, ${root.deliveries.length} billing period(s): ${root.deliveries.map((d) => `${d.billingPeriod} (${d.location.layout}, ${d.dataFiles.length} file(s))`).join(", ")}`,
  );
  const dir = localDir(env);
  const emulator = await ensureMoto(motoPort(env), dir);
  const gapFiller = await ensureGapFiller(gapFillerPort(env), emulator.endpoint, dir);
  let periods: readonly string[];
  if (emulator.startedHere || !(await landingIsUp(config, emulator.endpoint, gapFiller.endpoint))) {
    log(
      "replay     the local organization is not up: running npm run local with your export in place of the sample month",
    );
    const landing = await localUp({ ...opts, cur: opts.cur });
    const failed = landing.outcomes.filter((o) => o.status === "failed" || o.status === "skipped");
    if (failed.length)
      throw new Error(
        `the local organization did not come up (${failed.map((f) => `${f.info.stack}: ${f.status}`).join(", ")}); run npm run local to see why`,
      );
    periods = landing.periods;
  } else {
    log(
      `replay     the local organization is up at ${emulator.endpoint}: delivering and ingesting your export`,
    );
    periods = await deliverAndIngest({ config, emulator, gapFiller, replay: root, runPipeline: true, log });
  }
  const figures = await committedFigures({ config, motoEndpoint: emulator.endpoint, periods });
  const accountNames = new Map<string, string>([
    ...(await accountsInExport(root)).map((a) => [a.accountId, a.name] as [string, string]),
    [config.payer.id, config.payer.name],
    [config.admin.id, config.admin.name],
    ...config.members.map((m) => [m.id, m.name] as [string, string]),
  ]);
  return { config, figures, accountNames };
}

/** Whether the landing is deployed in the running emulator: the payer's export and the admin's spend table exist. */
async function landingIsUp(
  config: AccountConfig,
  motoEndpoint: string,
  dataExportsEndpoint: string,
): Promise<boolean> {
  const names = new Names(config);
  try {
    const payer = await clientConfigForAccount(motoEndpoint, config.payer.id, config.cur.homeRegion);
    const exports = await listExportDefinitions(dataExportsEndpoint, payer);
    if (!exports.some((e) => e.Name === config.cur.exportName)) return false;
    const ddb = new DynamoDBClient(
      await clientConfigForAccount(motoEndpoint, config.admin.id, config.admin.regions[0]!),
    );
    try {
      await ddb.send(new DescribeTableCommand({ TableName: names.dataTable("spend") }));
      return true;
    } finally {
      ddb.destroy();
    }
  } catch {
    return false;
  }
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
