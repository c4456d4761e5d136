import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { KeyRing } from "../security/keys";
import { BudgetAlertForwarding } from "./budget-alert-forwarding";
import { snsIntoBudgetAlertQueueKeyStatement } from "./budget-alerts";
import { CentralMonitoring } from "./central";
import { BaselineStackSet } from "./stackset";
import { StackSetMonitor } from "./stackset-monitor";

export interface AdminMonitoringProps {
  readonly config: AccountConfig;
  readonly names: Names;
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
    const { config, names } = props;
    const region = config.organization.homeRegion;
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
      accountId: config.admin.id,
      logRetentionDays: config.monitoring.logRetentionDays,
      kmsKeyArn: config.encryption.keys.monitoring,
      alertEmail: config.monitoring.alertEmail,
      preventDestroy: !config.organization.allowDataStoreDestroy,
    });
    if (config.monitoring.mode === "stackset") {
      this.stackSet = new BaselineStackSet(this, "stackset", {
        config,
        names,
        provider,
        organization: this.central.organization,
      });
    }
    this.budgetAlerts = new BudgetAlertForwarding(this, "budget-alerts", {
      names,
      provider,
      region,
      accountId: config.admin.id,
      functionsKeyArn: props.functionsKeyArn,
      logRetentionDays: config.monitoring.logRetentionDays,
      preventDestroy: !config.organization.allowDataStoreDestroy,
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
      config,
      names,
      provider,
      region,
      functionsKeyArn: props.functionsKeyArn,
    });
  }
}
