/**
 * The one list of Terraform resource types that hold data: destroying or replacing one loses
 * data that cannot be rebuilt from the config. The plan summary flags them and the plan guard
 * refuses such plans without an explicit opt-in.
 *
 * Deliberately not listed:
 * - `aws_s3_object`: objects Terraform manages (Lambda zips, seed files) are rebuilt from the repo;
 *   the data the landing keeps lives in buckets written by AWS services, and a bucket is listed.
 * - bucket sub-resources (`aws_s3_bucket_versioning`, `..._policy`, `..._replication_configuration`):
 *   removing them changes behaviour, not the objects already stored.
 * - `aws_kms_alias`, `aws_ssm_parameter`, IAM, Lambda, EventBridge: rebuilt from config as they were.
 */
export const DATA_STORE_TYPES: Readonly<Record<string, string>> = {
  aws_s3_bucket: "objects (CUR exports, replicas, access logs)",
  aws_dynamodb_table: "items (spend by account, budgets, approvals)",
  aws_kms_key: "the key material; everything encrypted with it becomes unreadable",
  aws_cloudwatch_log_group: "log events (audit trail, Lambda logs)",
  aws_glue_catalog_database: "the catalog of the CUR tables and their partitions",
  aws_glue_catalog_table: "table metadata and registered partitions",
  aws_secretsmanager_secret: "secret values and their versions",
  aws_athena_workgroup: "saved queries and query history settings",
  aws_cognito_user_pool: "users, their groups and credentials",
  aws_sqs_queue: "messages (dead-letter queues hold failed events)",
  aws_backup_vault: "recovery points",
  aws_db_instance: "database contents",
  aws_rds_cluster: "database contents",
  aws_efs_file_system: "files",
};

/** True when a resource of this type holds data (see DATA_STORE_TYPES). */
export function isDataStore(resourceType: string): boolean {
  return Object.hasOwn(DATA_STORE_TYPES, resourceType);
}
