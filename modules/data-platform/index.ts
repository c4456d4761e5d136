import type { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { CurConfig, DataPlatformConfig, EncryptionConfig } from "../../config/schema";
import type { BundledFunction, FunctionDefaults } from "../bundled-function";
import { type AccountSyncProps, addAccountSync } from "./account-sync";
import { DataPlatformAthena } from "./athena";
import { addCurIngest } from "./cur-ingest";
import { GlueCurTables } from "./glue-cur-table";
import { DataPlatformKeys } from "./kms-keys";
import { DataPlatformTables } from "./tables";

export interface DataPlatformProps {
  readonly names: Names;
  /** The delegated-admin account the platform runs in. */
  readonly accountId: string;
  /** The admin account's primary region (where the application runs). */
  readonly region: string;
  /** The payer account (account-sync reads the organization from it). */
  readonly payerAccountId: string;
  /** The CUR export (cur): Glue tables, the ingest's prefix and name, object encryption. */
  readonly cur: CurConfig;
  /** Customer-managed keys of the data platform, or supplied ones (encryption). */
  readonly encryption: EncryptionConfig;
  /** Athena limits, account-sync and ingestion-run retention (dataPlatform). */
  readonly settings: DataPlatformConfig;
  /** Days the functions' log groups keep events (monitoring.logRetentionDays). */
  readonly logRetentionDays: number;
  /** Bucket the CUR exports reach the admin in (the replica bucket). */
  readonly curBucketName: string;
  /** Data stores carry prevent_destroy and deletion protection. */
  readonly protect: boolean;
  readonly provider?: TerraformProvider;
  /** The admin's central bus, where Organizations' account events arrive (account-sync.ts). */
  readonly centralBus: AccountSyncProps["centralBus"];
}

/**
 * The delegated admin's CUR data platform (docs/data-platform.md): keys, Athena, the Glue CUR
 * tables, the DynamoDB tables, and the two functions with their triggers:
 * - account-sync (account-sync.ts): on its schedule and on Organizations' account events (forwarded
 *   by the payer to the central bus);
 * - cur-ingest (cur-ingest.ts): S3 → SQS (KMS, DLQ) → Lambda, for every new manifest of the CUR export.
 * The functions' resources are added to this construct itself (Terraform addresses unchanged).
 */
export class DataPlatform extends Construct {
  readonly keys: DataPlatformKeys;
  readonly athena: DataPlatformAthena;
  readonly glue: GlueCurTables;
  readonly tables: DataPlatformTables;
  readonly accountSync: BundledFunction;
  /** account-sync's rule on the central bus (Organizations' account events, forwarded by the payer). */
  readonly accountEventsRule: CloudwatchEventRule;
  readonly curIngest: BundledFunction;
  readonly manifestQueue: SqsQueue;
  /**
   * The bus cur-ingest puts "CUR billing period committed" on: the admin account's default bus in
   * the application's region (the app's final-card rule listens there).
   */
  readonly curEventBus: { readonly name: string; readonly arn: string };

  constructor(scope: Construct, id: string, props: DataPlatformProps) {
    super(scope, id);
    const { names, region, provider, settings } = props;
    const account = props.accountId;
    const preventDestroy = props.protect;

    this.keys = new DataPlatformKeys(this, "keys", {
      names,
      accountId: account,
      region,
      encryption: props.encryption,
      preventDestroy,
      provider,
    });
    this.athena = new DataPlatformAthena(this, "athena", {
      names,
      kmsKeyArn: this.keys.data.arn,
      bytesScannedCutoffMb: settings.athenaBytesScannedCutoffMb,
      resultsExpirationDays: settings.athenaResultsExpirationDays,
      preventDestroy,
      provider,
    });
    this.glue = new GlueCurTables(this, "glue", {
      names,
      cur: props.cur,
      bucketName: props.curBucketName,
      preventDestroy,
      provider,
    });
    this.tables = new DataPlatformTables(this, "tables", {
      names,
      kmsKeyArn: this.keys.data.arn,
      protect: props.protect,
      provider,
    });

    const functionDefaults: FunctionDefaults = {
      names,
      accountId: account,
      region,
      kmsKeyArn: this.keys.functions.arn,
      logRetentionDays: props.logRetentionDays,
      preventDestroy,
      provider,
    };
    const accountSync = addAccountSync(this, {
      functionDefaults,
      accounts: this.tables.bindable("accounts"),
      payerAccountId: props.payerAccountId,
      settings: settings.accountSync,
      centralBus: props.centralBus,
    });
    this.accountSync = accountSync.fn;
    this.accountEventsRule = accountSync.accountEventsRule;
    this.curEventBus = { name: "default", arn: names.curEventBusArn };
    const ingest = addCurIngest(this, {
      functionDefaults,
      curBucketName: props.curBucketName,
      cur: props.cur,
      spend: this.tables.bindable("spend"),
      ingestionRuns: this.tables.bindable("ingestion-runs"),
      runRetentionDays: settings.ingestionRunRetentionDays,
      curEventBusArn: this.curEventBus.arn,
    });
    this.curIngest = ingest.function;
    this.manifestQueue = ingest.manifestQueue;
  }
}
