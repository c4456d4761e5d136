/**
 * The one list of Terraform resource types that hold data: destroying or replacing one loses
 * data that cannot be rebuilt from the config. The plan summary flags them and the plan guard
 * refuses such plans without an explicit opt-in. Each value says what is lost. Every type must exist
 * in the AWS provider the landing pins (test/unit/contracts/data-stores.test.ts checks them against
 * the generated bindings in node_modules/@cdktf/provider-aws/lib).
 *
 * Deliberately not listed:
 * - `aws_s3_object`: objects Terraform manages (Lambda zips, seed files) are rebuilt from the repo;
 *   the data the landing keeps lives in buckets written by AWS services, and a bucket is listed.
 * - bucket sub-resources (`aws_s3_bucket_versioning`, `..._policy`, `..._replication_configuration`):
 *   removing them changes behaviour, not the objects already stored.
 * - cluster instances (`aws_rds_cluster_instance`, `aws_docdb_cluster_instance`,
 *   `aws_neptune_cluster_instance`): the data lives in the cluster's storage, which is listed.
 * - `aws_kms_alias`, `aws_ssm_parameter`, IAM, Lambda, EventBridge: rebuilt from config as they were.
 */
export const DATA_STORE_TYPES: Readonly<Record<string, string>> = {
  // The landing's own stores.
  aws_s3_bucket: "objects (CUR exports, replicas, access logs)",
  aws_bcmdataexports_export: "the CUR 2.0 export: a new one starts without the delivered history",
  aws_dynamodb_table: "items (spend by account, budgets, approvals)",
  aws_dynamodb_table_replica: "the items of a global table replica",
  aws_kms_key: "the key material; everything encrypted with it becomes unreadable",
  aws_kms_replica_key: "the replica's key material; data encrypted in its region becomes unreadable",
  aws_kms_external_key: "the imported key material; everything encrypted with it becomes unreadable",
  aws_kms_replica_external_key:
    "the imported replica key material; data encrypted with it becomes unreadable",
  aws_cloudwatch_log_group: "log events (audit trail, Lambda logs)",
  aws_glue_catalog_database: "the catalog of the CUR tables and their partitions",
  aws_glue_catalog_table: "table metadata and registered partitions",
  aws_secretsmanager_secret: "secret values and their versions",
  aws_secretsmanager_secret_version: "a secret value (and its staging labels)",
  aws_sfn_state_machine: "execution history of the state machine",
  aws_cloudformation_stack_set: "the stack set and, through its instances, the stacks in member accounts",
  aws_cloudformation_stack_set_instance: "a member account's stack and the resources it created",
  aws_athena_workgroup: "saved queries and query history settings",
  aws_cognito_user_pool: "users, their groups and credentials",
  aws_sqs_queue: "messages (dead-letter queues hold failed events)",
  aws_backup_vault: "recovery points",
  // Other data-holding types of the AWS provider (5.100.0), so a change that adds one is covered.
  aws_s3tables_table_bucket: "the tables (Iceberg data) in the table bucket",
  aws_s3tables_table: "the table's Iceberg data",
  aws_kinesis_stream: "records not yet expired from the stream",
  aws_kinesis_firehose_delivery_stream: "records buffered for delivery",
  aws_cloudwatch_event_archive: "archived events (for replay)",
  aws_ecr_repository: "container images",
  aws_opensearch_domain: "indices and documents",
  aws_opensearchserverless_collection: "indices and documents",
  aws_elasticsearch_domain: "indices and documents",
  aws_redshift_cluster: "warehouse tables",
  aws_redshiftserverless_namespace: "warehouse tables",
  aws_elasticache_cluster: "cached data (and Redis/Valkey persistence)",
  aws_elasticache_replication_group: "cached data (and Redis/Valkey persistence)",
  aws_elasticache_serverless_cache: "cached data",
  aws_memorydb_cluster: "the durable in-memory data set",
  aws_ebs_volume: "the volume's blocks",
  aws_ebs_snapshot: "the snapshot's blocks",
  aws_db_instance: "database contents",
  aws_db_snapshot: "a database snapshot",
  aws_db_cluster_snapshot: "a database cluster snapshot",
  aws_rds_cluster: "database contents",
  aws_rds_global_cluster: "the global database",
  aws_docdb_cluster: "documents",
  aws_docdb_global_cluster: "the global document database",
  aws_docdbelastic_cluster: "documents",
  aws_neptune_cluster: "graph data",
  aws_neptune_global_cluster: "the global graph database",
  aws_timestreamwrite_database: "time series tables",
  aws_timestreamwrite_table: "time series records",
  aws_keyspaces_keyspace: "Cassandra tables",
  aws_keyspaces_table: "Cassandra rows",
  aws_qldb_ledger: "the ledger's journal",
  aws_efs_file_system: "files",
  aws_fsx_lustre_file_system: "files",
  aws_fsx_windows_file_system: "files",
  aws_fsx_ontap_file_system: "files",
  aws_fsx_openzfs_file_system: "files",
  aws_dsql_cluster: "database contents",
};

/** True when a resource of this type holds data (see DATA_STORE_TYPES). */
export function isDataStore(resourceType: string): boolean {
  return Object.hasOwn(DATA_STORE_TYPES, resourceType);
}

/**
 * The data-store types the landing itself must create with lifecycle.prevent_destroy when
 * `protectDataStores` is on (security rule data-store.prevent-destroy). A subset of
 * DATA_STORE_TYPES: the plan guard flags the loss of any listed type, while prevent_destroy is
 * required on the stores whose loss the landing cannot recover from by re-applying. Not (yet) here,
 * though flagged by the guard: the CUR export, secret versions, the approval state machine and
 * stack set instances (a mode switch destroys instances on purpose).
 */
export const PREVENT_DESTROY_TYPES: readonly string[] = [
  "aws_s3_bucket",
  "aws_dynamodb_table",
  "aws_kms_key",
  "aws_cloudwatch_log_group",
  "aws_glue_catalog_database",
  "aws_glue_catalog_table",
  "aws_secretsmanager_secret",
  "aws_athena_workgroup",
  "aws_cognito_user_pool",
  "aws_sqs_queue",
  "aws_backup_vault",
  "aws_db_instance",
  "aws_rds_cluster",
  "aws_efs_file_system",
];
