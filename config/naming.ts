import type { AccountConfig, MemberAccount } from "./schema";

/**
 * Every physical name of the landing (stacks, buckets, roles, buses, parameters) comes from here.
 * Names that cross accounts are derived from the config on both sides, never read from another
 * stack's state, so a stack's plan depends only on the config and its own state.
 */
export class Names {
  constructor(private readonly config: AccountConfig) {}

  get prefix(): string {
    return this.config.organization.tagPrefix;
  }

  // Stacks -----------------------------------------------------------------------------------
  static readonly payerStack = "payer";
  static readonly adminStack = "admin";
  static memberStack(member: Pick<MemberAccount, "name">): string {
    return `member-${member.name}`;
  }

  // Accounts ---------------------------------------------------------------------------------
  /** Role Terraform assumes in an account. */
  deployRoleArn(account: { id: string; deployRole?: string }): string {
    return `arn:aws:iam::${account.id}:role/${account.deployRole ?? this.config.organization.deployRoleName}`;
  }

  /** The account's root principal: used with an aws:PrincipalArn condition for roles that may not exist yet. */
  static accountRoot(accountId: string): string {
    return `arn:aws:iam::${accountId}:root`;
  }

  static roleArn(accountId: string, roleName: string): string {
    return `arn:aws:iam::${accountId}:role/${roleName}`;
  }

  // CUR data ---------------------------------------------------------------------------------
  /** Payer bucket the CUR 2.0 export writes to (replication delivery). */
  get curBucket(): string {
    return `${this.prefix}-cur-${this.config.payer.id}`;
  }

  /** Admin bucket the payer bucket replicates to (or the export writes to, direct delivery). */
  get curReplicaBucket(): string {
    return `${this.prefix}-cur-replica-${this.config.admin.id}`;
  }

  /**
   * The admin's default event bus in its first region: cur-ingest announces committed billing
   * periods there (CUR_EVENT_BUS_ARN) and the final-spend-cards rule listens there.
   */
  get curEventBusArn(): string {
    const { id, regions } = this.config.admin;
    return `arn:aws:events:${regions[0]}:${id}:event-bus/default`;
  }

  // Monitoring -------------------------------------------------------------------------------
  get adminAccountId(): string {
    return this.config.admin.id;
  }

  get centralBusName(): string {
    return `${this.prefix}-central`;
  }

  get centralBusArn(): string {
    const { homeRegion } = this.config.organization;
    return `arn:aws:events:${homeRegion}:${this.config.admin.id}:event-bus/${this.centralBusName}`;
  }

  /** KMS-encrypted log group the central bus writes every baseline event to. */
  get centralEventsLogGroup(): string {
    return `/${this.prefix}/monitoring/central-events`;
  }

  get monitoringAlertsTopic(): string {
    return `${this.prefix}-monitoring-alerts`;
  }

  get centralDashboard(): string {
    return `${this.prefix}-baseline-health`;
  }

  /** Metrics from the central log group's metric filters (failed stack operations, heartbeats). */
  get baselineMetricsNamespace(): string {
    return `${this.prefix}/baseline`;
  }

  /** Metrics of the StackSet operations monitor. */
  get stackSetMetricsNamespace(): string {
    return `${this.prefix}/stacksets`;
  }

  /** The StackSet operations monitor function (admin); also one of the roles the member read role trusts. */
  get stackSetMonitorFunction(): string {
    return `${this.prefix}-stackset-monitor`;
  }

  get stackSetMonitorRole(): string {
    return `${this.prefix}-stackset-monitor`;
  }

  /** The service-managed stack set of the baseline (stackset mode). */
  get baselineStackSet(): string {
    return `${this.prefix}-monitoring-baseline`;
  }

  /** Member role that EventBridge assumes to put events on the central bus (only that). */
  get baselineForwarderRole(): string {
    return `${this.prefix}-baseline-forwarder`;
  }

  /** Read-only FinOps role in every member account. */
  get memberReadOnlyRole(): string {
    return `${this.prefix}-finops-readonly`;
  }

  /**
   * The admin account's roles that may assume a member's read-only role: the FinOps application's
   * reader and the monitor. Named here so both sides derive them; the trust pins them by ARN.
   */
  get memberReadOnlyTrustedRoles(): string[] {
    return [`${this.prefix}-finops-reader`, this.stackSetMonitorRole].map((n) =>
      Names.roleArn(this.config.admin.id, n),
    );
  }

  /** External id of the member read-only role: a confused-deputy guard derived from the config, not a secret. */
  get memberReadOnlyExternalId(): string {
    return `${this.prefix}-${this.config.organization.name}-finops-read`;
  }

  /** Name of a baseline rule in a member account, e.g. finops-baseline-cloudformation. */
  baselineRule(kind: string): string {
    return `${this.prefix}-baseline-${kind}`;
  }

  get memberDashboard(): string {
    return `${this.prefix}-baseline`;
  }

  // Data platform (admin) --------------------------------------------------------------------
  /** A Lambda function of the landing, e.g. finops-account-sync. */
  functionName(fn: string): string {
    return `${this.prefix}-${fn}`;
  }

  // Payer exports and cross-account access (docs/payer.md) ---------------------------------
  /** The own IAM role of a Lambda function (the payer's read role pins these by ARN). */
  lambdaRoleName(fn: string): string {
    return `${this.prefix}-${fn}`;
  }

  /** Dead-letter queue of a function's asynchronous invocations. */
  functionDlqName(fn: string): string {
    return `${this.prefix}-${fn}-dlq`;
  }

  /** DynamoDB table of the data platform: accounts, budgets, allocations, spend, ingestion-runs. */
  dataTable(table: string): string {
    return `${this.prefix}-${table}`;
  }

  /** Alias of a data-platform KMS key, e.g. alias/finops-data. */
  kmsAlias(purpose: string): string {
    return `alias/${this.prefix}-${purpose}`;
  }

  get athenaWorkgroup(): string {
    return `${this.prefix}-cur`;
  }

  get athenaResultsBucket(): string {
    return `${this.prefix}-athena-results-${this.config.admin.id}`;
  }

  /** Glue database of the CUR tables (underscores: Athena identifiers). */
  get glueDatabase(): string {
    return `${this.prefix.replace(/-/g, "_")}_cur`;
  }

  get curTable(): string {
    return "cur2";
  }

  get focusTable(): string {
    return "focus";
  }

  /** Folder of the FOCUS export below the CUR prefix. */
  get focusExportName(): string {
    return `${this.config.cur.exportName}-focus`;
  }

  /** Queue the replica bucket notifies when a new CUR manifest lands. */
  get curManifestQueue(): string {
    return `${this.prefix}-cur-manifests`;
  }

  get curManifestDlq(): string {
    return `${this.prefix}-cur-manifests-dlq`;
  }

  /** EventBridge rules that start the account sync. */
  accountSyncRule(kind: "schedule" | "account-created"): string {
    return `${this.prefix}-account-sync-${kind}`;
  }

  /**
   * Cross-account read role in the payer (Cost Explorer, Organizations, Data Exports/CUR read) that
   * the admin functions in payerReadTrustedFunctions assume with the external id (docs/payer.md).
   */
  get payerReadRoleName(): string {
    return `${this.prefix}-payer-read`;
  }

  /** Admin functions (ids for lambdaRoleName) that the payer read role trusts, pinned by aws:PrincipalArn. */
  get payerReadTrustedFunctions(): readonly string[] {
    return ["account-sync", "tool-cost-explorer"];
  }

  /** Role S3 assumes in the payer to replicate the CUR bucket to the admin's replica bucket. */
  get curReplicationRoleName(): string {
    return `${this.prefix}-cur-replication`;
  }

  /** Folder of the Cost Optimization Hub recommendations export below the CUR prefix. */
  get cohExportName(): string {
    return `${this.config.cur.exportName}-coh`;
  }

  /** Secrets Manager secret (admin account) holding the external id of the payer read role. */
  get externalIdSecretName(): string {
    return `${this.prefix}/payer-read-external-id`;
  }

  // FinOps application (admin) ----------------------------------------------------------------
  get userPool(): string {
    return `${this.prefix}-users`;
  }

  /** Cognito hosted-UI domain prefix: globally unique per region, so it carries the admin account id. */
  get userPoolDomain(): string {
    return `${this.prefix}-${this.config.admin.id}`;
  }

  get webClient(): string {
    return `${this.prefix}-web`;
  }

  /**
   * The application's configuration bucket (the member config document, modules/app/member-config.ts).
   * Shorter than athenaResultsBucket, whose name check (config/rules.ts) therefore covers it.
   */
  get appConfigBucket(): string {
    return `${this.prefix}-app-config-${this.config.admin.id}`;
  }

  // Finance console hosting (admin, docs/console-hosting.md). The bucket names are shorter than
  // athenaResultsBucket's, whose name check (config/rules.ts) therefore covers them.
  get consoleBucket(): string {
    return `${this.prefix}-console-${this.config.admin.id}`;
  }

  get consoleLogsBucket(): string {
    return `${this.prefix}-console-logs-${this.config.admin.id}`;
  }

  /** Origin access control, response headers policy, SPA routing function (CloudFront names). */
  get consoleCloudFront(): string {
    return `${this.prefix}-console`;
  }

  /** CloudWatch Logs delivery source and destination of the distribution's access logs. */
  get consoleAccessLogs(): string {
    return `${this.prefix}-console-access`;
  }

  get httpApi(): string {
    return `${this.prefix}-api`;
  }

  /** KMS-encrypted log group of the HTTP API's access logs. */
  get apiAccessLogGroup(): string {
    return `/${this.prefix}/api/access`;
  }

  get approvalStateMachine(): string {
    return `${this.prefix}-budget-approval`;
  }

  /** Role Step Functions assumes to run the approval workflow. */
  get approvalStateMachineRole(): string {
    return `${this.prefix}-budget-approval-sfn`;
  }

  /** Vended-logs group of the approval workflow's executions (must start with /aws/vendedlogs/). */
  get approvalLogGroup(): string {
    return `/aws/vendedlogs/states/${this.prefix}-budget-approval`;
  }

  get spendCardsSchedule(): string {
    return `${this.prefix}-spend-cards-weekly`;
  }

  /** Role EventBridge Scheduler assumes to invoke the spend-card function. */
  get spendCardsSchedulerRole(): string {
    return `${this.prefix}-spend-cards-scheduler`;
  }

  /** Rule on the CUR ingest's "billing period committed" events (final cards). */
  get spendCardsCurRule(): string {
    return `${this.prefix}-spend-cards-cur-committed`;
  }

  /** SSM parameter path of the landing's shared values in an account. */
  ssmParameter(name: string): string {
    return `/${this.prefix}/${name}`;
  }
}
