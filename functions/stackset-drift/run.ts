import {
  type CallAs,
  type CloudFormationClient,
  DetectStackSetDriftCommand,
  paginateListStackInstances,
  paginateListStackSetOperations,
  paginateListStackSets,
  type StackInstanceSummary,
  type StackSetOperationSummary,
} from "@aws-sdk/client-cloudformation";
import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { StackSetDriftDetail } from "../../contracts/stackset-drift";
import { driftEvent, shouldStartDetection, summarizeDrift } from "./drift";

export interface DriftSettings {
  /** Only stack sets whose name starts with this (the landing's baseline). */
  readonly stackSetPrefix: string;
  /** DELEGATED_ADMIN in the delegated-admin account (stackset mode). */
  readonly callAs: CallAs;
  /** The admin's central bus ARN. */
  readonly eventBusArn: string;
}

/**
 * One run, the thin AWS adapter around drift.ts: per stack set of the landing, read its operations
 * and instances, put the result on the central bus, then start the next drift detection unless one
 * is in progress. Returns the results for the metrics.
 */
export async function runDriftDetection(
  deps: { cfn: CloudFormationClient; events: EventBridgeClient },
  settings: DriftSettings,
): Promise<StackSetDriftDetail[]> {
  const { cfn, events } = deps;
  const CallAs = settings.callAs;
  const out: StackSetDriftDetail[] = [];
  for await (const page of paginateListStackSets({ client: cfn }, { Status: "ACTIVE", CallAs })) {
    for (const summary of page.Summaries ?? []) {
      const StackSetName = summary.StackSetName!;
      if (!StackSetName.startsWith(settings.stackSetPrefix)) continue;
      const operations: StackSetOperationSummary[] = [];
      for await (const p of paginateListStackSetOperations({ client: cfn }, { StackSetName, CallAs }))
        operations.push(...(p.Summaries ?? []));
      const instances: StackInstanceSummary[] = [];
      for await (const p of paginateListStackInstances({ client: cfn }, { StackSetName, CallAs }))
        instances.push(...(p.Summaries ?? []));
      let detail = summarizeDrift(StackSetName, instances, operations);
      if (shouldStartDetection(operations)) {
        const started = await cfn.send(new DetectStackSetDriftCommand({ StackSetName, CallAs }));
        if (started.OperationId) detail = { ...detail, startedOperationId: started.OperationId };
      }
      const res = await events.send(
        new PutEventsCommand({ Entries: [driftEvent(detail, settings.eventBusArn)] }),
      );
      if ((res.FailedEntryCount ?? 0) > 0)
        throw new Error(
          `PutEvents to ${settings.eventBusArn} refused the drift result of ${StackSetName}: ${res.Entries?.[0]?.ErrorCode} ${res.Entries?.[0]?.ErrorMessage}`,
        );
      out.push(detail);
    }
  }
  return out;
}
