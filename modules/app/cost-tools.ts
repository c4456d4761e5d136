import type { Construct } from "constructs";
import { Names } from "../../config/naming";
import type { CurConfig } from "../../config/schema";
import type { PolicyStatement } from "../../contracts/iam-policy";
import { BundledFunction, type FunctionDefaults } from "../bundled-function";
import { ATHENA_QUERY_ACTIONS } from "../data-platform/athena";
import { curObjectDecryptStatements } from "../data-platform/cur-object-keys";
import { curCatalogResources } from "../data-platform/glue-cur-table";

export interface CostToolsProps {
  readonly functionDefaults: FunctionDefaults;
  /** The payer account: the Cost Explorer tool assumes its read role there. */
  readonly payerAccountId: string;
  /** Prefix of the CUR data in the replica bucket (cur.s3Prefix). */
  readonly curS3Prefix: string;
  /** How the CUR objects are encrypted (cur.encryption): SSE-KMS readers need kms:Decrypt. */
  readonly curEncryption: CurConfig["encryption"];
  /** The data platform's data key (ARN): Athena results and the Glue tables' data. */
  readonly dataKeyArn: string;
}

export type CostTools = Readonly<Record<"costExplorer" | "athena" | "curSummary", BundledFunction>>;

/**
 * The cost tools for an MCP gateway (docs/cost-tools.md): Cost Explorer through the payer's read
 * role, one guarded Athena statement, and predefined CUR summaries, each with its own role. Created
 * in `scope` itself, with the ids FinOpsApp always gave them (Terraform addresses unchanged).
 */
export function addCostTools(scope: Construct, props: CostToolsProps): CostTools {
  const d = props.functionDefaults;
  const { names, region, accountId: account } = d;
  const athenaStatements = (): PolicyStatement[] => {
    const wg = `arn:aws:athena:${region}:${account}:workgroup/${names.athenaWorkgroup}`;
    const results = `arn:aws:s3:::${names.athenaResultsBucket}`;
    const cur = `arn:aws:s3:::${names.curReplicaBucket}`;
    return [
      {
        Sid: "AthenaInWorkgroup",
        Effect: "Allow",
        Action: ATHENA_QUERY_ACTIONS,
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
        Resource: curCatalogResources(names, region, account),
      },
      {
        Sid: "CurDataRead",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
        Resource: [cur, `${cur}/${props.curS3Prefix}/*`],
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
      {
        Sid: "DataKeyForTables",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        Resource: props.dataKeyArn,
      },
      ...curObjectDecryptStatements(props.curEncryption, region, names.curReplicaBucket),
    ];
  };
  const athenaEnv = {
    ATHENA_WORKGROUP: names.athenaWorkgroup,
    GLUE_DATABASE: names.glueDatabase,
    CUR_TABLE: names.curTable,
  };
  const payerReadRoleArn = Names.roleArn(props.payerAccountId, names.payerReadRoleName);
  return {
    costExplorer: new BundledFunction(scope, "tool-cost-explorer", {
      ...d,
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
    athena: new BundledFunction(scope, "tool-athena", {
      ...d,
      name: "tool-athena",
      description: "MCP tool: one read-only Athena statement (SQL guard) in the FinOps workgroup",
      asyncDeadLetterQueue: false,
      reservedConcurrency: 5,
      timeoutSeconds: 300,
      environment: athenaEnv,
      statements: athenaStatements(),
    }),
    curSummary: new BundledFunction(scope, "tool-cur-summary", {
      ...d,
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
