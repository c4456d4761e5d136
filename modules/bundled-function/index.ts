import { mkdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { AssetType, dependable, Lazy, TerraformAsset, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import { type PolicyStatement, policyDocument, serviceTrustPolicy } from "../../contracts/iam-policy";
import { VPC_ENI_ACTIONS } from "../../contracts/iam-wildcards";
import { TABLE_ENV, type Table } from "../../contracts/tables";
import { bundleFunction, type FunctionBundle } from "./bundle";
import { writeAtomically } from "./cache";

/** The construct's package is built by ./bundle.ts; where its one-line size reports go is set here. */
export { reportBundlesTo } from "./bundle";
/** Reads a package back (its index.js and source map): the bundle benchmark measures the assets. */
export { unzipEntries } from "./zip";

/** DynamoDB actions a function can be granted on a table (BundledFunction.bindTable). */
export type TableAction =
  | "GetItem"
  | "BatchGetItem"
  | "Query"
  | "Scan"
  | "ConditionCheckItem"
  | "PutItem"
  | "UpdateItem"
  | "DeleteItem"
  | "BatchWriteItem";

/** A table a function can be bound to (modules/data-platform/tables.ts, modules/app/tables.ts). */
export interface BindableTable {
  /** The table's contract name (contracts/tables.ts): its environment variable. */
  readonly table: Table;
  /** Physical name, known at synth time (Names.dataTable). */
  readonly name: string;
  readonly arn: string;
  /** The table's customer-managed key: a bound function may use it (DataKeyForTables). */
  readonly kmsKeyArn: string;
}

export interface TableBindingOptions {
  /** Grant the actions on the table's indexes too (`<arn>/index/*`). @default false */
  readonly indexes?: boolean;
  /** Statement id of the grant. @default "Table<Name>" (TableBudgetChanges) */
  readonly sid?: string;
}

/** "budget-changes" → "BudgetChanges". */
const pascal = (table: string) => table.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());

/** Where a function runs in VPC mode. */
export interface FunctionVpcPlacement {
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
}

export interface BundledFunctionProps {
  /** functions/<name>/handler.ts; also the function's id for Names (function, role, DLQ names). */
  readonly name: string;
  readonly names: Names;
  readonly accountId: string;
  readonly region: string;
  readonly description: string;
  /** Customer-managed key (ARN) of the environment variables, the log group and the DLQ. */
  readonly kmsKeyArn: string;
  /** Days the log group keeps events (monitoring.logRetentionDays). */
  readonly logRetentionDays: number;
  /**
   * The function's own permissions (least privilege); logs, X-Ray, its key and its DLQ are added
   * before them, and bindTable / addToPolicy statements after them, in call order. @default []
   */
  readonly statements?: readonly PolicyStatement[];
  /** Validated by the handler at cold start. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 1 */
  readonly reservedConcurrency?: number;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** @default 512 */
  readonly memorySizeMb?: number;
  /**
   * A KMS-encrypted SQS dead-letter queue for asynchronous invocations (EventBridge, Scheduler).
   * Functions invoked only synchronously (an SQS event source) keep failures in their source's DLQ.
   * @default true
   */
  readonly asyncDeadLetterQueue?: boolean;
  /**
   * Run in these private subnets with these security groups (VPC mode, modules/network/vpc.ts);
   * adds the ENI permissions Lambda needs. Same as calling attachToVpc. @default not in a VPC
   */
  readonly vpc?: FunctionVpcPlacement;
  /** prevent_destroy on the log group and the DLQ (data stores). @default true */
  readonly preventDestroy?: boolean;
  readonly provider?: TerraformProvider;
}

/** What every function of a composite shares (account, region, keys, retention, protection). */
export type FunctionDefaults = Pick<
  BundledFunctionProps,
  "names" | "accountId" | "region" | "kmsKeyArn" | "logRetentionDays" | "preventDestroy" | "provider"
>;

/**
 * A Node.js 22 Lambda function on arm64 from functions/<name>/handler.ts, with the landing's
 * defaults: esbuild bundle as a deterministic Terraform asset, source maps on, its own IAM role
 * with an inline least-privilege policy, an explicit KMS-encrypted log group with retention (JSON
 * logs), X-Ray active, reserved concurrency, a DLQ for async invocations, environment encrypted
 * with the given key.
 */
export class BundledFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly deadLetterQueue?: SqsQueue;
  readonly bundle: FunctionBundle;
  readonly functionName: string;
  /** arn:aws:lambda:<region>:<account>:function:<name>, known at synth time. */
  readonly functionArn: string;
  /** The function's own statements (after the baseline), in the order they were given. */
  private readonly statements: PolicyStatement[];
  /** Index in `statements` of the DataKeyForTables statement of each table key. */
  private readonly tableKeyStatement = new Map<string, number>();
  private readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const { names, provider } = props;
    const preventDestroy = props.preventDestroy ?? true;
    this.functionName = names.functionName(props.name);
    this.functionArn = `arn:aws:lambda:${props.region}:${props.accountId}:function:${this.functionName}`;
    this.bundle = bundleFunction(props.name);

    const dir = path.join(os.tmpdir(), "finops-bundles", this.bundle.sha256.replace(/[/+=]/g, "_"));
    mkdirSync(dir, { recursive: true });
    const zipPath = path.join(dir, `${props.name}.zip`);
    // Concurrent synths write the same bytes here; a rename never shows the asset copy a torn file.
    writeAtomically(zipPath, this.bundle.zip);
    const asset = new TerraformAsset(this, "code", { path: zipPath, type: AssetType.FILE });

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      provider,
      name: `/aws/lambda/${this.functionName}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
      lifecycle: { preventDestroy },
    });

    if (props.asyncDeadLetterQueue ?? true) {
      this.deadLetterQueue = new SqsQueue(this, "dlq", {
        provider,
        name: names.functionDlqName(props.name),
        kmsMasterKeyId: props.kmsKeyArn,
        kmsDataKeyReusePeriodSeconds: 300,
        messageRetentionSeconds: 1_209_600,
        lifecycle: { preventDestroy },
      });
    }

    this.role = new IamRole(this, "role", {
      provider,
      name: names.lambdaRoleName(props.name),
      description: `Role of the ${this.functionName} function only`,
      assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com", { sourceAccount: props.accountId }),
    });

    const baseline: PolicyStatement[] = [
      {
        Sid: "OwnLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `arn:aws:logs:${props.region}:${props.accountId}:log-group:${this.logGroup.name}:*`,
      },
      {
        Sid: "XRayTraces",
        Effect: "Allow",
        Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        Resource: "*",
      },
      {
        Sid: "OwnKeyForEnvironmentAndDlq",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: props.kmsKeyArn,
      },
      ...(this.deadLetterQueue
        ? [
            {
              Sid: "OwnDeadLetterQueue",
              Effect: "Allow" as const,
              Action: "sqs:SendMessage",
              Resource: this.deadLetterQueue.arn,
            },
          ]
        : []),
    ];
    this.statements = [...(props.statements ?? [])];
    this.environment = {
      NODE_OPTIONS: "--enable-source-maps",
      POWERTOOLS_SERVICE_NAME: props.name,
      ...props.environment,
    };
    const policy = new IamRolePolicy(this, "policy", {
      provider,
      name: "least-privilege",
      role: this.role.id,
      // Lazy: bindTable and addToPolicy add statements after construction.
      policy: Lazy.stringValue({ produce: () => policyDocument([...baseline, ...this.statements]) }),
    });

    this.function = new LambdaFunction(this, "function", {
      provider,
      functionName: this.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: this.bundle.sha256,
      memorySize: props.memorySizeMb ?? 512,
      timeout: props.timeoutSeconds ?? 60,
      reservedConcurrentExecutions: props.reservedConcurrency ?? 1,
      tracingConfig: { mode: "Active" },
      kmsKeyArn: props.kmsKeyArn,
      environment: { variables: { ...this.environment } },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      ...(this.deadLetterQueue ? { deadLetterConfig: { targetArn: this.deadLetterQueue.arn } } : {}),
      dependsOn: [this.logGroup, policy],
    });
    if (props.vpc) this.attachToVpc(props.vpc);
  }

  /**
   * Binds a table (contracts/tables.ts) to the function: sets the table's environment variable to
   * its physical name and grants exactly `actions` on it (and on its indexes with `indexes`), plus
   * the use of the table's key: one DataKeyForTables statement per key, after the tables bound to
   * it. Access is the explicit, ordered list of DynamoDB actions the handler calls (least
   * privilege: no "read"/"write" presets, which would grant more than some functions use).
   */
  bindTable(table: BindableTable, actions: readonly TableAction[], options: TableBindingOptions = {}): void {
    this.setTableName(table);
    const statement: PolicyStatement = {
      Sid: options.sid ?? `Table${pascal(table.table)}`,
      Effect: "Allow",
      Action: actions.map((a) => `dynamodb:${a}`),
      Resource: options.indexes ? [table.arn, `${table.arn}/index/*`] : table.arn,
    };
    const keyAt = this.tableKeyStatement.get(table.kmsKeyArn);
    if (keyAt === undefined) {
      this.statements.push(statement, {
        Sid: "DataKeyForTables",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        Resource: table.kmsKeyArn,
      });
      this.tableKeyStatement.set(table.kmsKeyArn, this.statements.length - 1);
      return;
    }
    this.statements.splice(keyAt, 0, statement);
    for (const [key, at] of this.tableKeyStatement) if (at >= keyAt) this.tableKeyStatement.set(key, at + 1);
  }

  /**
   * Sets only the table's environment variable, granting nothing: for handlers whose shared cold
   * start reads every application table's name (functions/shared/app-tables-env.ts) although the
   * function is bound to only some of them.
   */
  setTableName(table: BindableTable): void {
    this.environment[TABLE_ENV[table.table]] = table.name;
    this.function.putEnvironment({ variables: { ...this.environment } });
  }

  /** Adds statements to the function's policy, after those given so far. */
  addToPolicy(...statements: PolicyStatement[]): void {
    this.statements.push(...statements);
  }

  /** Places the function in private subnets (VPC mode) and gives its role the ENI permissions. */
  attachToVpc(placement: FunctionVpcPlacement): void {
    if (this.node.tryFindChild("vpc-access")) return;
    const vpcPolicy = new IamRolePolicy(this, "vpc-access", {
      provider: this.function.provider,
      name: "vpc-access",
      role: this.role.id,
      policy: policyDocument([
        { Sid: "LambdaManagesFunctionEnis", Effect: "Allow", Action: [...VPC_ENI_ACTIONS], Resource: "*" },
      ]),
    });
    this.function.putVpcConfig({
      subnetIds: placement.subnetIds,
      securityGroupIds: placement.securityGroupIds,
    });
    this.function.dependsOn = [...(this.function.dependsOn ?? []), dependable(vpcPolicy)];
  }
}
