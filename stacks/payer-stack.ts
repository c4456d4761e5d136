import type { Construct } from "constructs";
import { ORGANIZATIONS_EVENTS_REGION } from "../contracts/organizations-events";
import { dataExportsWriteStatements } from "../modules/payer/bucket-policies";
import { CurBucketKey } from "../modules/payer/cur-bucket-key";
import { CurReplication } from "../modules/payer/cur-replication";
import { DataExports } from "../modules/payer/data-exports";
import { ExternalId } from "../modules/payer/external-id";
import { OrgEventsForwarding } from "../modules/payer/org-events-forwarding";
import { OrganizationsDelegation } from "../modules/payer/organizations-delegation";
import { PayerReadRole } from "../modules/payer/payer-read-role";
import { createAwsProvider } from "../modules/providers";
import { SecureBucket } from "../modules/secure-bucket";
import { AccountStack, type AccountStackProps } from "./account-stack";

/**
 * The payer (management) account: the Data Exports (CUR 2.0, optional FOCUS and Cost Optimization
 * Hub), their bucket and its replication to the delegated admin (replication delivery), and the
 * cross-account read role with its external id, and the forwarding of Organizations' account events
 * to the admin's central bus. docs/payer.md describes every resource.
 */
export class PayerStack extends AccountStack {
  /** Present in replication delivery; with direct delivery the export writes to the admin's bucket. */
  readonly curBucket?: SecureBucket;
  /** The payer CUR bucket's key when cur.encryption is sse-kms without a supplied payerBucketKeyArn. */
  readonly curBucketKey?: CurBucketKey;
  readonly exports: DataExports;
  readonly replication?: CurReplication;
  readonly readRole: PayerReadRole;
  readonly externalId: ExternalId;
  /** dataPlatform.accountSync.mode delegated-admin: the organization's delegation policy for account-sync. */
  readonly organizationsDelegation?: OrganizationsDelegation;
  /** Organizations account events (us-east-1 default bus) to the admin's central bus, for account-sync. */
  readonly orgEventsForwarding: OrgEventsForwarding;

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
    // rules.ts: sse-kms has adminBucketKeyArn; payerBucketKeyArn only with replication delivery.
    const kms = cur.encryption.mode === "sse-kms";
    if (cur.delivery === "replication") {
      let payerKeyArn: string | undefined;
      if (kms && cur.encryption.payerBucketKeyArn) payerKeyArn = cur.encryption.payerBucketKeyArn;
      else if (kms) {
        this.curBucketKey = new CurBucketKey(this, "cur-bucket-key", {
          provider: exportsProvider,
          payerAccountId: payer.id,
          aliasName: `${names.prefix}-cur`,
          deletionWindowDays: organization.allowDataStoreDestroy ? 7 : 30,
          preventDestroy: this.protectDataStores,
        });
        payerKeyArn = this.curBucketKey.arn;
      }
      this.curBucket = new SecureBucket(this, "cur-bucket", {
        provider: exportsProvider,
        bucketName: names.curBucket,
        kmsKeyArn: payerKeyArn,
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
        sourceKmsKeyArn: payerKeyArn,
        replicaKmsKeyArn: kms ? cur.encryption.adminBucketKeyArn : undefined,
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
    // rules.ts: cur.homeRegion is us-east-1 and the payer's regions include it, so this provider exists.
    this.orgEventsForwarding = new OrgEventsForwarding(this, "org-events-forwarding", {
      provider: this.provider(ORGANIZATIONS_EVENTS_REGION),
      payerAccountId: payer.id,
      centralBusArn: names.centralBusArn,
      name: `${names.prefix}-org-account-events`,
      // The central side alerts on alarms named with the baseline prefix (modules/monitoring/alarms.ts).
      alarmPrefix: names.baselineRule(""),
      preventDestroy: this.protectDataStores,
    });
    if (this.config.dataPlatform.accountSync.mode === "delegated-admin") {
      this.organizationsDelegation = new OrganizationsDelegation(this, "organizations-delegation", {
        provider: this.provider(this.primaryRegion),
        payerAccountId: payer.id,
        adminAccountId: admin.id,
        readerRoleName: names.lambdaRoleName("account-sync"),
      });
    }
  }
}
