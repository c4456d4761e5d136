import { dependable } from "cdktf";
import type { Construct } from "constructs";
import {
  CLOUDFRONT_CONTROL_REGION,
  consoleHostingEnabled,
  mfaSetting,
  webClientUrls,
} from "../config/console";
import { memberConfig } from "../config/member-budgets";
import { resolveStackSetTargeting } from "../config/targeting";
import { FinOpsApp } from "../modules/app";
import { BundledFunction } from "../modules/bundled-function";
import { ConsoleHosting, consoleBuildFromEnv } from "../modules/console-hosting";
import { DataPlatform } from "../modules/data-platform";
import { AdminMonitoring } from "../modules/monitoring/admin-monitoring";
import { FailureAlarms } from "../modules/monitoring/alarms";
import { StackSetDriftDetection } from "../modules/monitoring/stackset-drift";
import { PrivateVpc } from "../modules/network/vpc";
import { dataExportsWriteStatements, replicaAcceptStatements } from "../modules/payer/bucket-policies";
import { SecureBucket } from "../modules/secure-bucket";
import { AccountStack, type AccountStackProps } from "./account-stack";

/** The delegated-admin (CloudOps) account: the FinOps application and central monitoring. */
export class AdminStack extends AccountStack {
  readonly curReplicaBucket: SecureBucket;
  readonly monitoring: AdminMonitoring;
  readonly dataPlatform: DataPlatform;
  readonly app: FinOpsApp;
  /** The finance console on S3 + CloudFront (target aws unless app.console.enabled is false). */
  readonly console?: ConsoleHosting;
  /** stackset mode: scheduled drift detection of the baseline stack set. */
  readonly stackSetDrift?: StackSetDriftDetection;
  /** VPC mode (config vpc.enabled): every function of the stack runs in its private subnets. */
  readonly vpc?: PrivateVpc;
  /** Every failure alarm of the stack (docs/operations.md). */
  readonly alarms: FailureAlarms;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, props);
    const replicaArn = `arn:aws:s3:::${this.names.curReplicaBucket}`;
    this.curReplicaBucket = new SecureBucket(this, "cur-replica-bucket", {
      bucketName: this.names.curReplicaBucket,
      preventDestroy: this.protectDataStores,
      // cur.encryption sse-kms: the supplied admin key (docs/payer.md, "Encryption").
      kmsKeyArn:
        this.config.cur.encryption.mode === "sse-kms"
          ? this.config.cur.encryption.adminBucketKeyArn
          : undefined,
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
    const { admin, payer, cur, encryption, dataPlatform, app, monitoring } = this.config;
    this.dataPlatform = new DataPlatform(this, "data-platform", {
      names: this.names,
      accountId: admin.id,
      region: this.primaryRegion,
      payerAccountId: payer.id,
      cur,
      encryption,
      settings: dataPlatform,
      logRetentionDays: monitoring.logRetentionDays,
      curBucketName: this.curReplicaBucket.bucketName,
      protect: this.protectDataStores,
      provider: this.provider(this.primaryRegion),
      // rules.ts: admin.regions includes organization.homeRegion, so its provider exists.
      centralBus: {
        name: this.names.centralBusName,
        region: this.config.organization.homeRegion,
        provider: this.provider(this.config.organization.homeRegion),
      },
    });
    const cognitoOrigin = `https://${this.names.userPoolDomain}.auth.${this.primaryRegion}.amazoncognito.com`;
    if (consoleHostingEnabled(this.config)) {
      this.console = new ConsoleHosting(this, "console", {
        names: this.names,
        accountId: admin.id,
        region: this.primaryRegion,
        build: consoleBuildFromEnv(),
        cognitoOrigin,
        apiRegion: this.primaryRegion,
        domain: app.console.domain,
        certificateArn: app.console.certificateArn,
        webAclArn: app.console.webAclArn,
        logRetentionDays: monitoring.logRetentionDays,
        preventDestroy: this.protectDataStores,
        provider: this.provider(this.primaryRegion),
        usEast1Provider: this.provider(CLOUDFRONT_CONTROL_REGION),
      });
    }
    this.app = new FinOpsApp(this, "app", {
      names: this.names,
      accountId: admin.id,
      region: this.primaryRegion,
      payerAccountId: payer.id,
      app,
      logRetentionDays: monitoring.logRetentionDays,
      curS3Prefix: cur.s3Prefix,
      curEncryption: cur.encryption,
      dataPlatform: this.dataPlatform,
      webClient: webClientUrls(this.config, this.console?.origin),
      mfa: mfaSetting(this.config),
      memberConfig: memberConfig(this.config),
      protect: this.protectDataStores,
      provider: this.provider(this.primaryRegion),
    });
    this.console?.addRuntimeConfig({
      apiUrl: this.app.api.stage.invokeUrl,
      region: this.primaryRegion,
      userPoolId: this.app.users.pool.id,
      clientId: this.app.users.webClient.id,
      cognitoDomain: cognitoOrigin,
    });
    this.monitoring = new AdminMonitoring(this, "monitoring", {
      names: this.names,
      homeRegion: this.config.organization.homeRegion,
      adminAccountId: admin.id,
      payerAccountId: payer.id,
      monitoring,
      monitoringKeyArn: encryption.keys.monitoring,
      preventDestroy: this.protectDataStores,
      stackSet:
        monitoring.mode === "stackset"
          ? {
              targeting: resolveStackSetTargeting(this.config),
              rollout: this.config.rollout,
              organizationalUnits: this.config.organization.organizationalUnits,
            }
          : undefined,
      provider: (region) => this.provider(region),
      adminRegions: this.account.regions,
      functionsKeyArn: this.dataPlatform.keys.functions.arn,
    });
    if (monitoring.mode === "stackset") {
      this.stackSetDrift = new StackSetDriftDetection(this, "stackset-drift", {
        names: this.names,
        adminAccountId: admin.id,
        payerAccountId: payer.id,
        logRetentionDays: monitoring.logRetentionDays,
        preventDestroy: this.protectDataStores,
        provider: this.provider(this.config.organization.homeRegion),
        region: this.config.organization.homeRegion,
        functionsKeyArn: this.dataPlatform.keys.functions.arn,
      });
    }
    // The rule on the central bus names the bus; the bus is created by the monitoring module.
    this.dataPlatform.accountEventsRule.dependsOn = [dependable(this.monitoring.central.bus)];
    if (this.config.vpc.enabled) {
      this.vpc = new PrivateVpc(this, "vpc", {
        namePrefix: this.names.prefix,
        cidr: this.config.vpc.cidr,
        region: this.primaryRegion,
        accountId: this.account.id,
        logKmsKeyArn: this.dataPlatform.keys.functions.arn,
        flowLogRetentionDays: this.config.vpc.flowLogRetentionDays ?? this.config.monitoring.logRetentionDays,
        preventDestroy: this.protectDataStores,
        provider: this.provider(this.primaryRegion),
      });
      for (const fn of this.node.findAll().filter((c) => c instanceof BundledFunction)) {
        fn.attachToVpc(this.vpc.functionPlacement);
      }
    }
    // Last: the alarms are derived from every function, queue, rule and API of the stack
    // (modules/monitoring/alarms.ts); anything created after this line would have none.
    this.alarms = new FailureAlarms(this, "failure-alarms", {
      names: this.names,
      homeRegion: this.config.organization.homeRegion,
      topicArn: this.monitoring.central.topic.arn,
      settings: monitoring.alarms,
      centralLogGroupName: this.names.centralEventsLogGroup,
      provider: this.provider(this.config.organization.homeRegion),
    });
  }
}
