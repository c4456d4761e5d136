import type { Construct } from "constructs";
import { dataExportsWriteStatements } from "../modules/payer/bucket-policies";
import { CurReplication } from "../modules/payer/cur-replication";
import { DataExports } from "../modules/payer/data-exports";
import { ExternalId } from "../modules/payer/external-id";
import { PayerReadRole } from "../modules/payer/payer-read-role";
import { createAwsProvider } from "../modules/providers";
import { SecureBucket } from "../modules/secure-bucket";
import { AccountStack, type AccountStackProps } from "./account-stack";

/**
 * The payer (management) account: the Data Exports (CUR 2.0, optional FOCUS and Cost Optimization
 * Hub), their bucket and its replication to the delegated admin (replication delivery), and the
 * cross-account read role with its external id. docs/payer.md describes every resource.
 */
export class PayerStack extends AccountStack {
  /** Present in replication delivery; with direct delivery the export writes to the admin's bucket. */
  readonly curBucket?: SecureBucket;
  readonly exports: DataExports;
  readonly replication?: CurReplication;
  readonly readRole: PayerReadRole;
  readonly externalId: ExternalId;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, props);
    const { cur, payer, admin, organization } = this.config;
    const names = this.names;
    // rules.ts refuses any other cur.homeRegion; the payer's regions default to it.
    const exportsProvider = this.provider(cur.homeRegion);
    const adminRegion = admin.regions[0]!;
    const exportNames = [
      cur.exportName,
      ...(cur.focus.enabled ? [names.focusExportName] : []),
      ...(cur.costOptimizationHub.enabled ? [names.cohExportName] : []),
    ];

    let destination: { bucketName: string; region: string; dependsOn: SecureBucket["policy"][] };
    if (cur.delivery === "replication") {
      this.curBucket = new SecureBucket(this, "cur-bucket", {
        provider: exportsProvider,
        bucketName: names.curBucket,
        preventDestroy: this.protectDataStores,
        policyStatements: dataExportsWriteStatements(`arn:aws:s3:::${names.curBucket}`, payer.id),
      });
      this.replication = new CurReplication(this, "cur-replication", {
        provider: exportsProvider,
        payerAccountId: payer.id,
        sourceBucketName: names.curBucket,
        sourceRegion: cur.homeRegion,
        destinationBucketName: names.curReplicaBucket,
        destinationAccountId: admin.id,
        destinationRegion: adminRegion,
        roleName: names.curReplicationRoleName,
        s3Prefix: cur.s3Prefix,
        exportNames,
        replicationTimeControl: cur.replicationTimeControl,
        dependsOn: [this.curBucket.versioning],
      });
      destination = {
        bucketName: names.curBucket,
        region: cur.homeRegion,
        dependsOn: [this.curBucket.policy],
      };
    } else {
      // direct: the admin stack's replica bucket policy lets this payer's exports write (admin-stack.ts).
      destination = { bucketName: names.curReplicaBucket, region: adminRegion, dependsOn: [] };
    }

    this.exports = new DataExports(this, "data-exports", {
      provider: exportsProvider,
      bucketName: destination.bucketName,
      bucketRegion: destination.region,
      s3Prefix: cur.s3Prefix,
      cur,
      focusExportName: cur.focus.enabled ? names.focusExportName : undefined,
      cohExportName: cur.costOptimizationHub.enabled ? names.cohExportName : undefined,
      dependsOn: destination.dependsOn,
    });

    // The one value this stack writes into another account: the external id, into the admin's secret.
    const adminProvider = createAwsProvider(
      this,
      this.config,
      { ...admin, environment: "prod", regions: admin.regions },
      props.target,
      adminRegion,
      "admin",
    );
    this.externalId = new ExternalId(this, "payer-read-external-id", {
      adminProvider,
      secretName: names.externalIdSecretName,
      recoveryWindowDays: organization.allowDataStoreDestroy ? 0 : 7,
      preventDestroy: this.protectDataStores,
    });
    this.readRole = new PayerReadRole(this, "payer-read", {
      provider: this.provider(this.primaryRegion),
      payerAccountId: payer.id,
      adminAccountId: admin.id,
      roleName: names.payerReadRoleName,
      trustedRoleNames: names.payerReadTrustedFunctions.map((fn) => names.lambdaRoleName(fn)),
      externalId: this.externalId.value,
    });
  }
}
