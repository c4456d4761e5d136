import type { Construct } from "constructs";
import { DataPlatform } from "../modules/data-platform";
import { AdminMonitoring } from "../modules/monitoring/admin-monitoring";
import { dataExportsWriteStatements, replicaAcceptStatements } from "../modules/payer/bucket-policies";
import { SecureBucket } from "../modules/secure-bucket";
import { AccountStack, type AccountStackProps } from "./account-stack";

/** The delegated-admin (CloudOps) account: the FinOps application and central monitoring. */
export class AdminStack extends AccountStack {
  readonly curReplicaBucket: SecureBucket;
  readonly monitoring: AdminMonitoring;
  readonly dataPlatform: DataPlatform;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, props);
    const replicaArn = `arn:aws:s3:::${this.names.curReplicaBucket}`;
    this.curReplicaBucket = new SecureBucket(this, "cur-replica-bucket", {
      bucketName: this.names.curReplicaBucket,
      preventDestroy: this.protectDataStores,
      // Who writes CUR data here (docs/payer.md): the payer's replication role, or in direct
      // delivery the payer's Data Exports themselves.
      policyStatements:
        this.config.cur.delivery === "replication"
          ? replicaAcceptStatements(
              replicaArn,
              this.config.payer.id,
              this.names.curReplicationRoleName,
              this.config.cur.s3Prefix,
            )
          : dataExportsWriteStatements(replicaArn, this.config.payer.id),
    });
    this.dataPlatform = new DataPlatform(this, "data-platform", {
      config: this.config,
      names: this.names,
      region: this.primaryRegion,
      curBucketName: this.curReplicaBucket.bucketName,
      protect: this.protectDataStores,
      provider: this.provider(this.primaryRegion),
    });
    this.monitoring = new AdminMonitoring(this, "monitoring", {
      config: this.config,
      names: this.names,
      provider: (region) => this.provider(region),
      adminRegions: this.account.regions,
    });
  }
}
