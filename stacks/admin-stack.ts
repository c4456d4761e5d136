import type { Construct } from "constructs";
import { SecureBucket } from "../modules/secure-bucket";
import { AccountStack, type AccountStackProps } from "./account-stack";

/** The delegated-admin (CloudOps) account: the FinOps application and central monitoring. */
export class AdminStack extends AccountStack {
  readonly curReplicaBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, props);
    this.curReplicaBucket = new SecureBucket(this, "cur-replica-bucket", {
      bucketName: this.names.curReplicaBucket,
      preventDestroy: this.protectDataStores,
    });
  }
}
