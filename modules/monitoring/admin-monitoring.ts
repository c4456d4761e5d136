import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { AccountConfig, MonitoringConfig, RolloutConfig } from "../../config/schema";
import type { StackSetTargeting } from "../../config/targeting";
import { KeyRing } from "../security/keys";
import { BudgetAlertForwarding } from "./budget-alert-forwarding";
import { snsIntoBudgetAlertQueueKeyStatement } from "./budget-alerts";
import { CentralMonitoring } from "./central";
import { BaselineStackSet } from "./stackset";
import { StackSetMonitor } from "./stackset-monitor";

export interface AdminMonitoringProps {
  readonly names: Names;
  /** organization.homeRegion: the central bus, alarms and the monitor live there. */
  readonly homeRegion: string;
  readonly adminAccountId: string;
  readonly payerAccountId: string;
  /** The monitoring section (mode, alert e-mail, log retention, stackset settings). */
  readonly monitoring: MonitoringConfig;
  /** encryption.keys.monitoring: a supplied key for the central log group and the alerts topic. */
  readonly monitoringKeyArn?: string;
  /** prevent_destroy / deletion protection on the log groups and queues. */
  readonly preventDestroy: boolean;
  /** stackset mode only: where the baseline's instances go and how the stack set rolls out. */
  readonly stackSet?: {
    readonly targeting: StackSetTargeting;
    readonly rollout: RolloutConfig;
    readonly organizationalUnits: AccountConfig["organization"]["organizationalUnits"];
  };
  /** Provider of one of the admin's regions: the central bus lives in organization.homeRegion. */
  readonly provider: (region: string) => AwsProvider;
  readonly adminRegions: readonly string[];
  /** Customer-managed key of the admin's functions (the StackSet monitor's environment and logs). */
  readonly functionsKeyArn: string;
}

/** Everything of the monitoring baseline in the delegated-admin account, in either mode. */
export class AdminMonitoring extends Construct {
  readonly central: CentralMonitoring;
  /** Only in stackset mode. */
  readonly stackSet?: BaselineStackSet;
  /** Both modes: it also computes the missing-heartbeats metric the central alarm watches. */
  readonly monitor: StackSetMonitor;
  /** Both modes: member budget notifications (SNS) onto the central bus. */
  readonly budgetAlerts: BudgetAlertForwarding;

  constructor(scope: Construct, id: string, props: AdminMonitoringProps) {
    super(scope, id);
    const { names, monitoring, preventDestroy } = props;
    const region = props.homeRegion;
    if (!props.adminRegions.includes(region)) {
      throw new Error(
        `admin.regions (${props.adminRegions.join(", ")}) does not include organization.homeRegion ${region}, where the central monitoring bus lives; add ${region} to admin.regions`,
      );
    }
    const provider = props.provider(region);
    this.central = new CentralMonitoring(this, "central", {
      names,
      provider,
      region,
      accountId: props.adminAccountId,
      logRetentionDays: monitoring.logRetentionDays,
      kmsKeyArn: props.monitoringKeyArn,
      alertEmail: monitoring.alertEmail,
      preventDestroy,
    });
    if (monitoring.mode === "stackset") {
      if (!props.stackSet)
        throw new Error("monitoring.mode stackset needs the stack set's targeting and rollout");
      this.stackSet = new BaselineStackSet(this, "stackset", {
        names,
        provider,
        organization: this.central.organization,
        settings: monitoring.stackset,
        ...props.stackSet,
      });
    }
    this.budgetAlerts = new BudgetAlertForwarding(this, "budget-alerts", {
      names,
      provider,
      region,
      accountId: props.adminAccountId,
      functionsKeyArn: props.functionsKeyArn,
      logRetentionDays: monitoring.logRetentionDays,
      preventDestroy,
    });
    // SNS encrypts member budget alerts into the queue with the functions key: a key the landing
    // creates gets the statement; a supplied key's owner adds it (docs/monitoring.md).
    // (The stack's key ring: the data platform's, which functionsKeyArn comes from.)
    const ring = TerraformStack.of(this)
      .node.findAll()
      .find(
        (c): c is KeyRing =>
          c instanceof KeyRing && !c.isSupplied("functions") && c.createdKey("functions") !== undefined,
      );
    ring?.addToKeyPolicy("functions", snsIntoBudgetAlertQueueKeyStatement());
    this.monitor = new StackSetMonitor(this, "stackset-monitor", {
      names,
      adminAccountId: props.adminAccountId,
      payerAccountId: props.payerAccountId,
      monitoringMode: monitoring.mode,
      logRetentionDays: monitoring.logRetentionDays,
      preventDestroy,
      provider,
      region,
      functionsKeyArn: props.functionsKeyArn,
    });
  }
}
