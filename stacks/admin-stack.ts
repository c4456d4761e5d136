import type { Construct } from "constructs";
import { AdminMonitoring } from "../modules/monitoring/admin-monitoring";
import { SecureBucket } from "../modules/secure-bucket";
import { AccountStack, type AccountStackProps } from "./account-stack";

/** The delegated-admin (CloudOps) account: the FinOps application and central monitoring. */
export class AdminStack extends AccountStack {
  readonly curReplicaBucket: SecureBucket;
  readonly monitoring: AdminMonitoring;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, props);
    this.curReplicaBucket = new SecureBucket(this, "cur-replica-bucket", {
      bucketName: this.names.curReplicaBucket,
      preventDestroy: this.protectDataStores,
    });
    this.monitoring = new AdminMonitoring(this, "monitoring", {
      config: this.config,
      names: this.names,
      provider: (region) => this.provider(region),
      adminRegions: this.account.regions,
    });
  }
}
