import type { Construct } from "constructs";
import { SecureBucket } from "../modules/secure-bucket";
import { AccountStack, type AccountStackProps } from "./account-stack";

/** The payer (management) account: the CUR 2.0 export's bucket. */
export class PayerStack extends AccountStack {
  /** Present in replication delivery; with direct delivery the export writes to the admin's bucket. */
  readonly curBucket?: SecureBucket;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, props);
    if (this.config.cur.delivery === "replication") {
      this.curBucket = new SecureBucket(this, "cur-bucket", {
        bucketName: this.names.curBucket,
        preventDestroy: this.protectDataStores,
      });
    }
  }
}
