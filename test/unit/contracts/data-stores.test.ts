import { existsSync } from "node:fs";
import * as path from "node:path";
import { DATA_STORE_TYPES, isDataStore } from "../../../contracts/data-stores";
import { summarizePlans } from "../../../deploy/plan-summary";

const PROVIDER_LIB = path.join(__dirname, "../../../node_modules/@cdktf/provider-aws/lib");

/** aws_dynamodb_table → lib/dynamodb-table: the provider's generated bindings name one folder per type. */
const bindingFolder = (type: string) => path.join(PROVIDER_LIB, type.replace(/^aws_/, "").replace(/_/g, "-"));

describe("DATA_STORE_TYPES", () => {
  it.each(Object.entries(DATA_STORE_TYPES))(
    "%s exists in the pinned AWS provider and says what is lost",
    (type, reason) => {
      expect(type).toMatch(/^aws_[a-z0-9_]+$/);
      expect(existsSync(bindingFolder(type))).toBe(true);
      expect(reason.length).toBeGreaterThan(4);
    },
  );

  it.each([
    "aws_bcmdataexports_export",
    "aws_secretsmanager_secret",
    "aws_secretsmanager_secret_version",
    "aws_sfn_state_machine",
    "aws_cloudformation_stack_set",
    "aws_cloudformation_stack_set_instance",
    "aws_kinesis_stream",
    "aws_kinesis_firehose_delivery_stream",
    "aws_ecr_repository",
    "aws_opensearch_domain",
    "aws_elasticsearch_domain",
    "aws_redshift_cluster",
    "aws_redshiftserverless_namespace",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_ebs_volume",
    "aws_ebs_snapshot",
    "aws_s3tables_table_bucket",
    "aws_s3tables_table",
    "aws_cloudwatch_event_archive",
    "aws_kms_key",
    "aws_kms_replica_key",
    "aws_dynamodb_table",
    "aws_dynamodb_table_replica",
    "aws_rds_cluster",
    "aws_db_instance",
    "aws_efs_file_system",
    "aws_backup_vault",
    "aws_cloudwatch_log_group",
    "aws_glue_catalog_database",
    "aws_glue_catalog_table",
    "aws_timestreamwrite_database",
    "aws_timestreamwrite_table",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "aws_memorydb_cluster",
  ])("lists %s, and a plan that deletes or replaces one loses data", (type) => {
    expect(isDataStore(type)).toBe(true);
    const plan = {
      format_version: "1.2",
      resource_changes: [
        { address: `${type}.gone`, type, mode: "managed", change: { actions: ["delete"] } },
        { address: `${type}.rebuilt`, type, mode: "managed", change: { actions: ["create", "delete"] } },
        { address: `${type}.kept`, type, mode: "managed", change: { actions: ["forget"] } },
        { address: `${type}.swapped`, type, mode: "managed", change: { actions: ["create", "forget"] } },
      ],
    };
    const { dataStoreLosses } = summarizePlans([{ plan, source: "stack.json" }]);

    expect(dataStoreLosses.map((l) => [l.address, l.action])).toEqual([
      [`${type}.gone`, "delete"],
      [`${type}.rebuilt`, "replace"],
    ]);
  });

  it("does not list types that are rebuilt from config as they were", () => {
    for (const type of [
      "aws_iam_role",
      "aws_lambda_function",
      "aws_kms_alias",
      "aws_s3_object",
      "aws_rds_cluster_instance",
    ]) {
      expect(isDataStore(type)).toBe(false);
    }
  });

  it("does not inherit Object.prototype keys", () => {
    expect(isDataStore("constructor")).toBe(false);
    expect(isDataStore("__proto__")).toBe(false);
  });
});
