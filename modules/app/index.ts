import type { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { SfnStateMachine } from "@cdktf/provider-aws/lib/sfn-state-machine";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { WebClientUrls } from "../../config/console";
import type { Names } from "../../config/naming";
import type { AppConfig, CurConfig } from "../../config/schema";
import type { MemberConfig } from "../../contracts/member-config";
import { APP_TABLES, type AppTable, type Table } from "../../contracts/tables";
import type { BindableTable, BundledFunction, FunctionDefaults } from "../bundled-function";
import type { DataPlatform } from "../data-platform";
import { addApi } from "./api";
import { addApprovalWorkflow } from "./approval-workflow";
import { addCostTools, type CostTools } from "./cost-tools";
import type { HttpApi } from "./http-api";
import { MemberConfigStore } from "./member-config";
import { addSpendCards } from "./spend-cards";
import { addAppTables } from "./tables";
import { UserPool } from "./user-pool";

export interface FinOpsAppProps {
  readonly names: Names;
  /** The delegated-admin account the application runs in. */
  readonly accountId: string;
  /** The admin account's primary region (where the application runs). */
  readonly region: string;
  /** The payer account (the Cost Explorer tool assumes its read role). */
  readonly payerAccountId: string;
  /** The application's settings (config app). */
  readonly app: AppConfig;
  /** Days the functions' and the workflow's log groups keep events (monitoring.logRetentionDays). */
  readonly logRetentionDays: number;
  /** Prefix of the CUR data in the replica bucket (cur.s3Prefix). */
  readonly curS3Prefix: string;
  /** How the CUR objects are encrypted (cur.encryption). */
  readonly curEncryption: CurConfig["encryption"];
  /** Keys, tables, Athena workgroup and Glue tables of the data platform. */
  readonly dataPlatform: DataPlatform;
  /** The web client's callback/sign-out URLs and the API's CORS origins (config/console.ts webClientUrls). */
  readonly webClient: WebClientUrls;
  /** TOTP MFA of the user pool (config/console.ts mfaSetting). */
  readonly mfa: "required" | "optional";
  /**
   * Environment and monthly budget of every non-retired member, by account id (config/member-budgets.ts
   * memberConfig): written to the application's configuration bucket for the API.
   */
  readonly memberConfig: MemberConfig;
  /** prevent_destroy / deletion protection on data stores (tables, user pool, log groups). */
  readonly protect: boolean;
  readonly provider?: TerraformProvider;
}

/**
 * The FinOps application in the delegated-admin account (docs/api.md, docs/cost-tools.md): users
 * (Cognito), the HTTP API and its function, the spend-card function with its Monday schedule and
 * the final-card rule, the budget-approval workflow, the cost tools for an MCP gateway, and the
 * member config document the API reads (member-config.ts).
 * Every function has its own role with only the table actions it uses (bindTable).
 *
 * One file per concern (tables.ts, approval-workflow.ts, api.ts, spend-cards.ts, cost-tools.ts,
 * member-config.ts);
 * each adds its resources to this construct itself, so every Terraform address stays the one the
 * single constructor gave it.
 */
export class FinOpsApp extends Construct {
  readonly users: UserPool;
  readonly api: HttpApi;
  readonly apiFunction: BundledFunction;
  readonly spendCards: BundledFunction;
  readonly approvals: BundledFunction;
  readonly approvalWorkflow: SfnStateMachine;
  readonly tools: CostTools;
  readonly tables: Readonly<Record<AppTable, DynamodbTable>>;
  /** The application's configuration bucket and the member config document in it. */
  readonly memberConfig: MemberConfigStore;

  constructor(scope: Construct, id: string, props: FinOpsAppProps) {
    super(scope, id);
    const { names, app, provider, dataPlatform: dp, protect } = props;

    const appTables = addAppTables(this, { names, kmsKeyArn: dp.keys.data.arn, protect, provider });
    this.tables = appTables.tables;
    const table = (t: Table): BindableTable =>
      (APP_TABLES as readonly Table[]).includes(t)
        ? appTables.bindable(t as AppTable)
        : dp.tables.bindable(t as Exclude<Table, AppTable>);
    const functionDefaults: FunctionDefaults = {
      names,
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: dp.keys.functions.arn,
      logRetentionDays: props.logRetentionDays,
      preventDestroy: protect,
      provider,
    };

    this.users = new UserPool(this, "users", {
      names,
      app,
      callbackUrls: props.webClient.callbackUrls,
      logoutUrls: props.webClient.logoutUrls,
      mfa: props.mfa,
      protect,
      provider,
    });
    const workflow = addApprovalWorkflow(this, {
      functionDefaults,
      table,
      approvalTimeoutDays: app.approvalTimeoutDays,
    });
    this.approvals = workflow.approvals;
    this.approvalWorkflow = workflow.stateMachine;
    this.memberConfig = new MemberConfigStore(this, "member-config", {
      names,
      region: props.region,
      document: props.memberConfig,
      kmsKeyArn: dp.keys.data.arn,
      preventDestroy: protect,
      provider,
    });
    const api = addApi(this, {
      functionDefaults,
      table,
      users: this.users,
      approvalStateMachineName: names.approvalStateMachine,
      approvalThresholdUsd: app.approvalThresholdUsd,
      memberConfig: this.memberConfig,
      corsOrigins: props.webClient.corsOrigins,
      rateLimitPerSecond: app.apiRateLimitPerSecond,
      burstLimit: app.apiBurstLimit,
    });
    this.apiFunction = api.apiFunction;
    this.api = api.api;
    this.spendCards = addSpendCards(this, {
      functionDefaults,
      table,
      timeZone: app.timeZone,
      hour: app.spendCardsHour,
      curEventBusName: dp.curEventBus.name,
    });
    this.tools = addCostTools(this, {
      functionDefaults,
      payerAccountId: props.payerAccountId,
      curS3Prefix: props.curS3Prefix,
      curEncryption: props.curEncryption,
      dataKeyArn: dp.keys.data.arn,
    });
  }
}
