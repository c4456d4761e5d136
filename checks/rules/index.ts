import type { Rule } from "../engine";
import { API_RULES } from "./api";
import { ATHENA_RULES } from "./athena";
import { CLOUDFRONT_RULES } from "./cloudfront";
import { COGNITO_RULES } from "./cognito";
import { DATA_STORE_RULES } from "./data-store";
import { DYNAMODB_RULES } from "./dynamodb";
import { IAM_RULES } from "./iam";
import { KMS_RULES } from "./kms";
import { LAMBDA_RULES } from "./lambda";
import { LOGS_RULES } from "./logs";
import { RESOURCE_POLICY_RULES } from "./resource-policy";
import { S3_RULES } from "./s3";
import { SFN_RULES } from "./sfn";
import { SNS_RULES } from "./sns";
import { SQS_RULES } from "./sqs";
import { VPC_RULES } from "./vpc";

/**
 * Every security rule, registered once. A rule lives in the file named after its id's prefix
 * (`s3.versioning` in s3.ts); a new file's list is added here, in the order findings are reported.
 */
export const RULES: readonly Rule[] = [
  ...S3_RULES,
  ...DYNAMODB_RULES,
  ...KMS_RULES,
  ...LAMBDA_RULES,
  ...IAM_RULES,
  ...RESOURCE_POLICY_RULES,
  ...SNS_RULES,
  ...SQS_RULES,
  ...LOGS_RULES,
  ...API_RULES,
  ...COGNITO_RULES,
  ...CLOUDFRONT_RULES,
  ...ATHENA_RULES,
  ...SFN_RULES,
  ...DATA_STORE_RULES,
  ...VPC_RULES,
];
