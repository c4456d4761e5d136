import {
  type CallAs,
  type CloudFormationClient,
  paginateListStackInstances,
  paginateListStackSetOperations,
  paginateListStackSets,
  type StackInstanceSummary,
  type StackSetOperationSummary,
} from "@aws-sdk/client-cloudformation";
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDatum,
  PutMetricDataCommand,
  paginateListMetrics,
} from "@aws-sdk/client-cloudwatch";
import {
  type HeartbeatSeries,
  metricData,
  missingHeartbeats,
  type StackSetObservation,
  type StackSetStats,
  stackSetStats,
} from "./metrics";

/** What one run of the monitor needs; the Lambda entry builds it once from its environment. */
export interface MonitorSettings {
  /** Namespace of the monitor's own metrics. */
  readonly namespace: string;
  /** Namespace of the heartbeat metric (central log group's metric filter). */
  readonly heartbeatNamespace: string;
  readonly heartbeatMetric: string;
  /** Heartbeats older than this make an account "missing". */
  readonly heartbeatMaxAgeSeconds: number;
  /** Only stack sets whose name starts with this. */
  readonly stackSetPrefix: string;
  /** SELF, or DELEGATED_ADMIN in the delegated-admin account. */
  readonly callAs: CallAs;
  /** Operations created or ended within this many minutes count. */
  readonly windowMinutes: number;
}

export interface MonitorResult {
  readonly stackSets: readonly StackSetStats[];
  readonly missingHeartbeatAccounts: readonly string[];
  readonly published: number;
}

/** Reads every matching stack set's operations and instances from CloudFormation. */
export async function observeStackSets(
  cfn: CloudFormationClient,
  settings: Pick<MonitorSettings, "stackSetPrefix" | "callAs">,
): Promise<StackSetObservation[]> {
  const out: StackSetObservation[] = [];
  const { callAs } = settings;
  for await (const page of paginateListStackSets({ client: cfn }, { Status: "ACTIVE", CallAs: callAs })) {
    for (const stackSet of page.Summaries ?? []) {
      const name = stackSet.StackSetName!;
      if (!name.startsWith(settings.stackSetPrefix)) continue;
      const operations: StackSetOperationSummary[] = [];
      for await (const p of paginateListStackSetOperations(
        { client: cfn },
        { StackSetName: name, CallAs: callAs },
      ))
        operations.push(...(p.Summaries ?? []));
      const instances: StackInstanceSummary[] = [];
      for await (const p of paginateListStackInstances(
        { client: cfn },
        { StackSetName: name, CallAs: callAs },
      ))
        instances.push(...(p.Summaries ?? []));
      out.push({ stackSet, operations, instances });
    }
  }
  return out;
}

/** Heartbeat series per account over the last two days (ListMetrics + GetMetricData). */
export async function readHeartbeats(
  cw: CloudWatchClient,
  settings: Pick<MonitorSettings, "heartbeatNamespace" | "heartbeatMetric">,
  now: Date,
): Promise<HeartbeatSeries[]> {
  const accounts: string[] = [];
  for await (const page of paginateListMetrics(
    { client: cw },
    { Namespace: settings.heartbeatNamespace, MetricName: settings.heartbeatMetric },
  )) {
    for (const m of page.Metrics ?? []) {
      const account = m.Dimensions?.find((d) => d.Name === "Account")?.Value;
      if (account && !accounts.includes(account)) accounts.push(account);
    }
  }
  const series: HeartbeatSeries[] = [];
  // GetMetricData takes at most 500 queries per call.
  for (let i = 0; i < accounts.length; i += 500) {
    const batch = accounts.slice(i, i + 500);
    const res = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - 2 * 24 * 3600 * 1000),
        EndTime: now,
        MetricDataQueries: batch.map((account, j) => ({
          Id: `a${j}`,
          MetricStat: {
            Metric: {
              Namespace: settings.heartbeatNamespace,
              MetricName: settings.heartbeatMetric,
              Dimensions: [{ Name: "Account", Value: account }],
            },
            Period: 300,
            Stat: "Sum",
          },
        })),
      }),
    );
    batch.forEach((account, j) => {
      const r = res.MetricDataResults?.find((x) => x.Id === `a${j}`);
      const timestamps = (r?.Timestamps ?? []).filter((_, k) => (r?.Values?.[k] ?? 0) > 0);
      series.push({ account, timestamps });
    });
  }
  return series;
}

/** Publishes in batches of 1000, the PutMetricData limit. */
export async function publish(
  cw: CloudWatchClient,
  namespace: string,
  data: readonly MetricDatum[],
): Promise<void> {
  for (let i = 0; i < data.length; i += 1000) {
    await cw.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + 1000) }));
  }
}

/** One run: observe, compute, publish. */
export async function runMonitor(
  deps: { cfn: CloudFormationClient; cw: CloudWatchClient; now: Date },
  settings: MonitorSettings,
): Promise<MonitorResult> {
  const since = new Date(deps.now.getTime() - settings.windowMinutes * 60_000);
  const stats = (await observeStackSets(deps.cfn, settings)).map((o) => stackSetStats(o, since));
  const missing = missingHeartbeats(
    await readHeartbeats(deps.cw, settings, deps.now),
    deps.now,
    settings.heartbeatMaxAgeSeconds,
  );
  const data = metricData(stats, missing, deps.now);
  await publish(deps.cw, settings.namespace, data);
  return { stackSets: stats, missingHeartbeatAccounts: missing, published: data.length };
}
