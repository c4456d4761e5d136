import { dependable } from "cdktf";
import type { Construct } from "constructs";
import type { Table } from "../../contracts/tables";
import { type BindableTable, BundledFunction, type FunctionDefaults } from "../bundled-function";
import { HttpApi } from "./http-api";
import type { MemberConfigStore } from "./member-config";
import { setAppTableNames } from "./tables";
import type { UserPool } from "./user-pool";

export interface ApiProps {
  readonly functionDefaults: FunctionDefaults;
  /** Every table of the landing as a function binding. */
  readonly table: (table: Table) => BindableTable;
  readonly users: UserPool;
  /** Name of the approval workflow's state machine (the API starts executions and sends decisions). */
  readonly approvalStateMachineName: string;
  /** Budget changes above this amount wait for approval (app.approvalThresholdUsd). */
  readonly approvalThresholdUsd: number;
  /** The member config document the API reads (members' budgets and environments, docs/budgets.md). */
  readonly memberConfig: MemberConfigStore;
  /** Origins of the web callback URLs: the API's CORS origins. */
  readonly corsOrigins: string[];
  readonly rateLimitPerSecond: number;
  readonly burstLimit: number;
}

export interface Api {
  readonly apiFunction: BundledFunction;
  readonly api: HttpApi;
}

/**
 * The FinOps API (docs/api.md): its function, with only the table actions the routes use, and the
 * HTTP API with the Cognito authorizer. Created in `scope` itself, with the ids FinOpsApp always
 * gave them (Terraform addresses unchanged).
 */
export function addApi(scope: Construct, props: ApiProps): Api {
  const d = props.functionDefaults;
  const { region, accountId: account } = d;
  const { table, users } = props;
  const userPoolArn = `arn:aws:cognito-idp:${region}:${account}:userpool/${users.pool.id}`;
  const stateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${props.approvalStateMachineName}`;
  const apiFunction = new BundledFunction(scope, "api-function", {
    ...d,
    name: "api",
    description: "FinOps API behind the HTTP API (authorization by group and scope)",
    asyncDeadLetterQueue: false,
    reservedConcurrency: 20,
    timeoutSeconds: 29,
    environment: {
      USER_POOL_ID: users.pool.id,
      APPROVAL_STATE_MACHINE_ARN: stateMachineArn,
      APPROVAL_THRESHOLD_USD: String(props.approvalThresholdUsd),
      // Where the member config is, not its content: the same few bytes for any number of members.
      ...props.memberConfig.environment,
    },
  });
  // The document is there before the function that reads it (a first deploy answers no 500).
  apiFunction.function.dependsOn = [
    ...(apiFunction.function.dependsOn ?? []),
    dependable(props.memberConfig.object),
  ];
  setAppTableNames(apiFunction, table);
  apiFunction.bindTable(table("accounts"), ["GetItem", "Query", "Scan", "UpdateItem"], { indexes: true });
  apiFunction.bindTable(table("allocations"), ["Query", "PutItem"], { indexes: true });
  apiFunction.bindTable(table("budgets"), ["GetItem", "Scan", "PutItem"]);
  apiFunction.bindTable(table("spend"), ["Query"]);
  apiFunction.bindTable(table("ingestion-runs"), ["GetItem", "Scan"]);
  apiFunction.bindTable(table("spend-cards"), ["GetItem", "Query", "Scan", "UpdateItem"]);
  apiFunction.bindTable(table("budget-changes"), ["GetItem", "Scan", "PutItem", "UpdateItem"]);
  apiFunction.addToPolicy(
    ...props.memberConfig.readStatements(),
    {
      Sid: "ListUsersAndGroups",
      Effect: "Allow",
      Action: ["cognito-idp:ListUsers", "cognito-idp:ListUsersInGroup"],
      Resource: userPoolArn,
    },
    {
      // POST /users and PUT /users/{username}/groups (Admins only, checked by the API).
      Sid: "InviteUsersAndSetGroups",
      Effect: "Allow",
      Action: [
        "cognito-idp:AdminCreateUser",
        "cognito-idp:AdminAddUserToGroup",
        "cognito-idp:AdminRemoveUserFromGroup",
        "cognito-idp:AdminListGroupsForUser",
      ],
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
      // resource that grants it (allowlisted in contracts/iam-wildcards.ts). The task token itself
      // names the waiting execution; the API reads it only from a pending change it stored.
      Sid: "ApprovalDecision",
      Effect: "Allow",
      Action: "states:SendTaskSuccess",
      Resource: "*",
    },
  );
  const api = new HttpApi(scope, "http-api", {
    names: d.names,
    region,
    accountId: account,
    handler: apiFunction,
    userPoolId: users.pool.id,
    webClientId: users.webClient.id,
    corsOrigins: props.corsOrigins,
    logKmsKeyArn: d.kmsKeyArn,
    logRetentionDays: d.logRetentionDays,
    rateLimitPerSecond: props.rateLimitPerSecond,
    burstLimit: props.burstLimit,
    preventDestroy: d.preventDestroy,
    provider: d.provider,
  });
  return { apiFunction, api };
}
