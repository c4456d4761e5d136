import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { Names } from "../../config/naming";
import type { AccountConfig } from "../../config/schema";
import { approvalDefinition } from "../../contracts/approvals";
import { CUR_COMMITTED_DETAIL_TYPE, CUR_COMMITTED_SOURCE } from "../../contracts/events";
import {
  APP_TABLES,
  type AppTable,
  type DataTable,
  TABLE_DEFINITIONS,
  TABLE_ENV,
  TABLES,
} from "../../contracts/tables";
import { BundledFunction } from "../bundled-function";
import type { DataPlatform } from "../data-platform";
import { curObjectDecryptStatements } from "../data-platform/cur-object-keys";
import { type PolicyStatement, policyDocument } from "../iam-policy";
import { LOG_DELIVERY_ACTIONS } from "../iam-wildcards";
import { HttpApi } from "./http-api";
import { UserPool } from "./user-pool";

export interface FinOpsAppProps {
  readonly config: AccountConfig;
  readonly names: Names;
  readonly region: string;
  /** Keys, tables, Athena workgroup and Glue tables of the data platform. */
  readonly dataPlatform: DataPlatform;
  /** prevent_destroy / deletion protection on data stores (tables, user pool, log groups). */
  readonly protect: boolean;
  readonly provider?: TerraformProvider;
}

type AnyTable = DataTable | AppTable;

/**
 * The FinOps application in the delegated-admin account (docs/api.md, docs/cost-tools.md): users
 * (Cognito), the HTTP API and its function, the spend-card function with its Monday schedule and
 * the final-card rule, the budget-approval workflow, and the cost tools for an MCP gateway.
 * Every function has its own role with only the table actions it uses.
 */
export class FinOpsApp extends Construct {
  readonly users: UserPool;
  readonly api: HttpApi;
  readonly apiFunction: BundledFunction;
  readonly spendCards: BundledFunction;
  readonly approvals: BundledFunction;
  readonly approvalWorkflow: SfnStateMachine;
  readonly tools: Readonly<Record<"costExplorer" | "athena" | "curSummary", BundledFunction>>;
  readonly tables: Readonly<Record<AppTable, DynamodbTable>>;

  constructor(scope: Construct, id: string, props: FinOpsAppProps) {
    super(scope, id);
    const { config, names, region, provider, dataPlatform: dp } = props;
    const app = config.app;
    const account = config.admin.id;
    const protect = props.protect;

    // Tables ------------------------------------------------------------------------------------
    const tables = {} as Record<AppTable, DynamodbTable>;
    for (const name of APP_TABLES) {
      const def = TABLE_DEFINITIONS[name];
      tables[name] = new DynamodbTable(this, `table-${name}`, {
        provider,
        name: names.dataTable(name),
        billingMode: "PAY_PER_REQUEST",
        hashKey: def.partitionKey,
        rangeKey: def.sortKey,
        attribute: [def.partitionKey, def.sortKey]
          .filter((a): a is string => a !== undefined)
          .map((a) => ({ name: a, type: "S" })),
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: dp.keys.data.arn },
        deletionProtectionEnabled: protect,
        lifecycle: { preventDestroy: protect },
      });
    }
    this.tables = tables;
    const tableArn = (t: AnyTable) =>
      (APP_TABLES as readonly string[]).includes(t)
        ? tables[t as AppTable].arn
        : dp.tables.arn(t as DataTable);
    const on = (t: AnyTable, actions: string[], withIndexes = false): PolicyStatement => ({
      Sid: `Table${t.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`,
      Effect: "Allow",
      Action: actions.map((a) => `dynamodb:${a}`),
      Resource: withIndexes ? [tableArn(t), `${tableArn(t)}/index/*`] : tableArn(t),
    });
    const dataKey: PolicyStatement = {
      Sid: "DataKeyForTables",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Resource: dp.keys.data.arn,
    };
    const tableEnv = Object.fromEntries(TABLES.map((t) => [TABLE_ENV[t], names.dataTable(t)]));
    const common = {
      names,
      accountId: account,
      region,
      kmsKeyArn: dp.keys.functions.arn,
      logRetentionDays: config.monitoring.logRetentionDays,
      preventDestroy: protect,
      provider,
    };

    // Users ---------------------------------------------------------------------------------------
    this.users = new UserPool(this, "users", { names, app, protect, provider });
    const userPoolArn = `arn:aws:cognito-idp:${region}:${account}:userpool/${this.users.pool.id}`;

    // Approval workflow -----------------------------------------------------------------------------
    const stateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${names.approvalStateMachine}`;
    this.approvals = new BundledFunction(this, "approvals", {
      ...common,
      name: "approvals",
      description: "Steps of the budget-change approval workflow (store task token, apply, expire, fail)",
      asyncDeadLetterQueue: false,
      environment: tableEnv,
      statements: [
        on("budgets", ["GetItem", "PutItem"]),
        on("budget-changes", ["GetItem", "UpdateItem"]),
        dataKey,
      ],
    });
    const sfnLogs = new CloudwatchLogGroup(this, "approval-logs", {
      provider,
      name: names.approvalLogGroup,
      retentionInDays: config.monitoring.logRetentionDays,
      kmsKeyId: dp.keys.functions.arn,
      lifecycle: { preventDestroy: protect },
    });
    const sfnRole = new IamRole(this, "approval-role", {
      provider,
      name: names.approvalStateMachineRole,
      description: "Runs the budget approval workflow: invokes the approvals function, logs, traces",
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { Service: "states.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": account } },
        },
      ]),
    });
    new IamRolePolicy(this, "approval-role-policy", {
      provider,
      name: "least-privilege",
      role: sfnRole.id,
      policy: policyDocument([
        {
          Sid: "InvokeApprovals",
          Effect: "Allow",
          Action: "lambda:InvokeFunction",
          Resource: [this.approvals.functionArn, `${this.approvals.functionArn}:*`],
        },
        {
          Sid: "ExecutionLogDelivery",
          Effect: "Allow",
          Action: [...LOG_DELIVERY_ACTIONS],
          Resource: "*",
        },
        {
          Sid: "XRay",
          Effect: "Allow",
          Action: [
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
          ],
          Resource: "*",
        },
      ]),
    });
    this.approvalWorkflow = new SfnStateMachine(this, "approval-workflow", {
      provider,
      name: names.approvalStateMachine,
      type: "STANDARD",
      roleArn: sfnRole.arn,
      definition: JSON.stringify(
        approvalDefinition({
          approvalsFunctionArn: this.approvals.functionArn,
          decisionTimeoutSeconds: app.approvalTimeoutDays * 86_400,
        }),
      ),
      loggingConfiguration: {
        level: "ALL",
        includeExecutionData: false,
        logDestination: `${sfnLogs.arn}:*`,
      },
      tracingConfiguration: { enabled: true },
    });

    // API -------------------------------------------------------------------------------------------
    this.apiFunction = new BundledFunction(this, "api-function", {
      ...common,
      name: "api",
      description: "FinOps API behind the HTTP API (authorization by group and scope)",
      asyncDeadLetterQueue: false,
      reservedConcurrency: 20,
      timeoutSeconds: 29,
      environment: {
        ...tableEnv,
        USER_POOL_ID: this.users.pool.id,
        APPROVAL_STATE_MACHINE_ARN: stateMachineArn,
        APPROVAL_THRESHOLD_USD: String(app.approvalThresholdUsd),
      },
      statements: [
        on("accounts", ["GetItem", "Query", "Scan", "UpdateItem"], true),
        on("allocations", ["Query", "PutItem"], true),
        on("budgets", ["GetItem", "Scan", "PutItem"]),
        on("spend", ["Query"]),
        on("ingestion-runs", ["GetItem", "Scan"]),
        on("spend-cards", ["GetItem", "Query", "Scan", "UpdateItem"]),
        on("budget-changes", ["GetItem", "Scan", "PutItem", "UpdateItem"]),
        dataKey,
        {
          Sid: "ListUsersAndGroups",
          Effect: "Allow",
          Action: ["cognito-idp:ListUsers", "cognito-idp:ListUsersInGroup"],
          Resource: userPoolArn,
        },
        {
          Sid: "ApprovalWorkflow",
          Effect: "Allow",
          Action: "states:StartExecution",
          Resource: stateMachineArn,
        },
        {
          // SendTaskSuccess has no resource type (Service Authorization Reference): "*" is the only
          // resource that grants it (allowlisted in modules/iam-wildcards.ts). The task token itself
          // names the waiting execution; the API reads it only from a pending change it stored.
          Sid: "ApprovalDecision",
          Effect: "Allow",
          Action: "states:SendTaskSuccess",
          Resource: "*",
        },
      ],
    });
    this.api = new HttpApi(this, "http-api", {
      names,
      region,
      accountId: account,
      handler: this.apiFunction,
      userPoolId: this.users.pool.id,
      webClientId: this.users.webClient.id,
      corsOrigins: app.webCallbackUrls.map((u) => new URL(u).origin),
      logKmsKeyArn: dp.keys.functions.arn,
      logRetentionDays: config.monitoring.logRetentionDays,
      rateLimitPerSecond: app.apiRateLimitPerSecond,
      burstLimit: app.apiBurstLimit,
      preventDestroy: protect,
      provider,
    });

    // Spend cards -------------------------------------------------------------------------------------
    this.spendCards = new BundledFunction(this, "spend-cards", {
      ...common,
      name: "spend-cards",
      description: "Spend cards per budget and period: every Monday, and final when the invoiced CUR arrives",
      timeoutSeconds: 300,
      environment: { ...tableEnv, TIME_ZONE: app.timeZone },
      statements: [
        on("budgets", ["Scan"]),
        on("ingestion-runs", ["GetItem"]),
        on("spend", ["Query"]),
        on("allocations", ["Query"]),
        on("spend-cards", ["UpdateItem"]),
        dataKey,
      ],
    });
    const spendCardsDlq = this.spendCards.deadLetterQueue;
    const schedulerRole = new IamRole(this, "spend-cards-scheduler-role", {
      provider,
      name: names.spendCardsSchedulerRole,
      description: "EventBridge Scheduler invokes the spend-card function, nothing else",
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { Service: "scheduler.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": account } },
        },
      ]),
    });
    new IamRolePolicy(this, "spend-cards-scheduler-policy", {
      provider,
      name: "invoke-spend-cards",
      role: schedulerRole.id,
      policy: policyDocument([
        {
          Sid: "InvokeSpendCards",
          Effect: "Allow",
          Action: "lambda:InvokeFunction",
          Resource: this.spendCards.functionArn,
        },
        // A schedule's dead-letter messages are sent with the schedule's role, to a KMS-encrypted queue.
        ...(spendCardsDlq
          ? [
              {
                Sid: "SendToDeadLetterQueue",
                Effect: "Allow" as const,
                Action: "sqs:SendMessage",
                Resource: spendCardsDlq.arn,
              },
              {
                Sid: "DeadLetterQueueKeyThroughSqs",
                Effect: "Allow" as const,
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: dp.keys.functions.arn,
                Condition: { StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` } },
              },
            ]
          : []),
      ]),
    });
    new SchedulerSchedule(this, "spend-cards-weekly", {
      provider,
      name: names.spendCardsSchedule,
      description: "Spend cards for the period(s) that ended in the previous week",
      scheduleExpression: `cron(0 ${app.spendCardsHour} ? * MON *)`,
      scheduleExpressionTimezone: app.timeZone,
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: this.spendCards.functionArn,
        roleArn: schedulerRole.arn,
        input: JSON.stringify({ kind: "weekly" }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
        ...(this.spendCards.deadLetterQueue
          ? { deadLetterConfig: { arn: this.spendCards.deadLetterQueue.arn } }
          : {}),
      },
    });
    const curRule = new CloudwatchEventRule(this, "spend-cards-cur-committed", {
      provider,
      name: names.spendCardsCurRule,
      description: "Final spend cards when the CUR ingest commits an invoiced billing period",
      eventBusName: dp.curEventBus.name,
      eventPattern: JSON.stringify({
        source: [CUR_COMMITTED_SOURCE],
        "detail-type": [CUR_COMMITTED_DETAIL_TYPE],
        detail: { invoiced: [true] },
      }),
    });
    new CloudwatchEventTarget(this, "spend-cards-cur-committed-target", {
      provider,
      rule: curRule.name,
      eventBusName: dp.curEventBus.name,
      arn: this.spendCards.function.arn,
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      ...(this.spendCards.deadLetterQueue
        ? { deadLetterConfig: { arn: this.spendCards.deadLetterQueue.arn } }
        : {}),
    });
    // EventBridge sends a rule target's dead letters as the service, so the queue must admit it:
    // only for this rule (the functions key already lets EventBridge use it, modules/security/keys.ts).
    if (spendCardsDlq)
      new SqsQueuePolicy(this, "spend-cards-dlq-policy", {
        provider,
        queueUrl: spendCardsDlq.url,
        policy: policyDocument([
          {
            Sid: "CurCommittedRuleDeadLetters",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: spendCardsDlq.arn,
            Condition: { ArnEquals: { "aws:SourceArn": curRule.arn } },
          },
        ]),
      });
    new LambdaPermission(this, "spend-cards-cur-committed-permission", {
      provider,
      statementId: "CurCommittedRule",
      action: "lambda:InvokeFunction",
      functionName: this.spendCards.function.functionName,
      principal: "events.amazonaws.com",
      sourceArn: curRule.arn,
    });

    // Cost tools ------------------------------------------------------------------------------------
    const athenaStatements = (): PolicyStatement[] => {
      const wg = `arn:aws:athena:${region}:${account}:workgroup/${names.athenaWorkgroup}`;
      const glue = (r: string) => `arn:aws:glue:${region}:${account}:${r}`;
      const results = `arn:aws:s3:::${names.athenaResultsBucket}`;
      const cur = `arn:aws:s3:::${names.curReplicaBucket}`;
      return [
        {
          Sid: "AthenaInWorkgroup",
          Effect: "Allow",
          Action: [
            "athena:StartQueryExecution",
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
            "athena:StopQueryExecution",
          ],
          Resource: wg,
        },
        {
          Sid: "GlueCatalogRead",
          Effect: "Allow",
          Action: [
            "glue:GetDatabase",
            "glue:GetTable",
            "glue:GetTables",
            "glue:GetPartition",
            "glue:GetPartitions",
          ],
          Resource: [
            glue("catalog"),
            glue(`database/${names.glueDatabase}`),
            glue(`table/${names.glueDatabase}/*`),
          ],
        },
        {
          Sid: "CurDataRead",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
          Resource: [cur, `${cur}/${config.cur.s3Prefix}/*`],
        },
        {
          Sid: "QueryResults",
          Effect: "Allow",
          Action: [
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "s3:GetBucketLocation",
            "s3:AbortMultipartUpload",
          ],
          Resource: [results, `${results}/*`],
        },
        dataKey,
        ...curObjectDecryptStatements(config, region, names.curReplicaBucket),
      ];
    };
    const athenaEnv = {
      ATHENA_WORKGROUP: names.athenaWorkgroup,
      GLUE_DATABASE: names.glueDatabase,
      CUR_TABLE: names.curTable,
    };
    const payerReadRoleArn = Names.roleArn(config.payer.id, names.payerReadRoleName);
    this.tools = {
      costExplorer: new BundledFunction(this, "tool-cost-explorer", {
        ...common,
        name: "tool-cost-explorer",
        description:
          "MCP tool: Cost Explorer cost and usage / forecast with allowlisted parameters (payer read role)",
        asyncDeadLetterQueue: false,
        reservedConcurrency: 5,
        environment: {
          PAYER_READ_ROLE_ARN: payerReadRoleArn,
          EXTERNAL_ID_SECRET_ID: names.externalIdSecretName,
        },
        statements: [
          {
            Sid: "AssumePayerReadRole",
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: payerReadRoleArn,
          },
          {
            Sid: "ReadExternalId",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: `arn:aws:secretsmanager:${region}:${account}:secret:${names.externalIdSecretName}-??????`,
          },
        ],
      }),
      athena: new BundledFunction(this, "tool-athena", {
        ...common,
        name: "tool-athena",
        description: "MCP tool: one read-only Athena statement (SQL guard) in the FinOps workgroup",
        asyncDeadLetterQueue: false,
        reservedConcurrency: 5,
        timeoutSeconds: 300,
        environment: athenaEnv,
        statements: athenaStatements(),
      }),
      curSummary: new BundledFunction(this, "tool-cur-summary", {
        ...common,
        name: "tool-cur-summary",
        description: "MCP tool: predefined monthly CUR summaries on Athena",
        asyncDeadLetterQueue: false,
        reservedConcurrency: 5,
        timeoutSeconds: 300,
        environment: athenaEnv,
        statements: athenaStatements(),
      }),
    };
  }
}
