import {
  CUR2_COLUMNS,
  CUR2_IAM_PRINCIPAL_COLUMNS,
  CUR2_SPLIT_COST_COLUMNS,
} from "../../../modules/payer/export-queries";
import { tlsOnlyStatements } from "../../../modules/secure-bucket";
import { bySid, type Json, localConfig, resource, statements, synthPayerAdmin } from "../../support/synth";

const PAYER = "111111111111";
const ADMIN = "222222222222";
const CUR_BUCKET = `arn:aws:s3:::finops-cur-${PAYER}`;
const REPLICA_BUCKET = `arn:aws:s3:::finops-cur-replica-${ADMIN}`;
const DATA_EXPORTS_STATEMENT = (bucketArn: string) => ({
  Sid: "AllowDataExportsDelivery",
  Effect: "Allow",
  Principal: { Service: ["bcm-data-exports.amazonaws.com", "billingreports.amazonaws.com"] },
  Action: ["s3:PutObject", "s3:GetBucketPolicy"],
  Resource: [bucketArn, `${bucketArn}/*`],
  Condition: {
    StringEquals: { "aws:SourceAccount": PAYER },
    ArnLike: {
      "aws:SourceArn": [
        `arn:aws:bcm-data-exports:us-east-1:${PAYER}:export/*`,
        `arn:aws:cur:us-east-1:${PAYER}:definition/*`,
      ],
    },
  },
});

describe("payer stack, replication delivery (accounts/local.yaml)", () => {
  const s = synthPayerAdmin(localConfig());

  it("creates the CUR 2.0 export as Parquet, overwriting, with resource ids and the configured granularity", () => {
    const exp = resource(s.payer, "aws_bcmdataexports_export", "data-exports/cur2").export[0];
    expect(exp.name).toBe("finops-cur2");
    expect(exp.refresh_cadence).toEqual([{ frequency: "SYNCHRONOUS" }]);
    expect(exp.destination_configurations[0].s3_destination[0]).toEqual({
      s3_bucket: `finops-cur-${PAYER}`,
      s3_prefix: "cur",
      s3_region: "us-east-1",
      s3_output_configurations: [
        { output_type: "CUSTOM", format: "PARQUET", compression: "PARQUET", overwrite: "OVERWRITE_REPORT" },
      ],
    });
    expect(exp.data_query[0].table_configurations).toEqual({
      COST_AND_USAGE_REPORT: {
        TIME_GRANULARITY: "DAILY",
        INCLUDE_RESOURCES: "TRUE",
        INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: "FALSE",
        INCLUDE_SPLIT_COST_ALLOCATION_DATA: "FALSE",
      },
    });
    expect(exp.data_query[0].query_statement).toBe(
      `SELECT ${CUR2_COLUMNS.join(", ")} FROM COST_AND_USAGE_REPORT`,
    );
  });

  it("without resource ids, neither asks for line_item_resource_id nor gives the Glue table that column", () => {
    // AWS CUR 2.0 table dictionary (line item page): line_item_resource_id is "Added by: INCLUDE
    // RESOURCES"; a query selecting it with INCLUDE_RESOURCES = FALSE names a column the table lacks.
    const off = synthPayerAdmin(
      localConfig((doc) => {
        (doc.cur as Record<string, Json>).includeResourceIds = false;
      }),
    );
    const exp = resource(off.payer, "aws_bcmdataexports_export", "data-exports/cur2").export[0];
    expect(exp.data_query[0].table_configurations.COST_AND_USAGE_REPORT.INCLUDE_RESOURCES).toBe("FALSE");
    expect(exp.data_query[0].query_statement).toBe(
      `SELECT ${CUR2_COLUMNS.filter((c) => c !== "line_item_resource_id").join(", ")} FROM COST_AND_USAGE_REPORT`,
    );
    const glue = Object.values(off.admin.aws_glue_catalog_table ?? {}).find((t) => t.name === "cur2") as Json;
    const columns = (glue.storage_descriptor as Json).columns as Array<{ name: string }>;
    expect(columns.map((c) => c.name)).not.toContain("line_item_resource_id");
    expect(columns.map((c) => c.name)).toContain("line_item_usage_account_id");
  });

  it("waits for the bucket policy before creating the export (Data Exports checks it)", () => {
    const exp = resource(s.payer, "aws_bcmdataexports_export", "data-exports/cur2");
    expect(exp.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\.cur-bucket_policy/)]);
  });

  it("lets only the payer's Data Exports write to the payer bucket, after the TLS-only denies", () => {
    const policy = statements(resource(s.payer, "aws_s3_bucket_policy", "cur-bucket/policy").policy);
    expect(policy).toEqual([...tlsOnlyStatements(CUR_BUCKET), DATA_EXPORTS_STATEMENT(CUR_BUCKET)]);
  });

  it("keeps versioning on at the source", () => {
    expect(
      resource(s.payer, "aws_s3_bucket_versioning", "cur-bucket/versioning").versioning_configuration,
    ).toEqual({
      status: "Enabled",
    });
  });

  it("lets only S3, for this bucket of this account, assume the replication role", () => {
    const role = resource(s.payer, "aws_iam_role", "cur-replication/role");
    expect(role.name).toBe("finops-cur-replication");
    expect(statements(role.assume_role_policy)).toEqual([
      {
        Sid: "S3ReplicationOfTheCurBucket",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": PAYER },
          ArnEquals: { "aws:SourceArn": CUR_BUCKET },
        },
      },
    ]);
  });

  it("gives the replication role exactly the replication permissions (no KMS when buckets use SSE-S3)", () => {
    const policy = statements(resource(s.payer, "aws_iam_role_policy", "cur-replication/policy").policy);
    expect(policy).toEqual([
      {
        Sid: "SourceBucket",
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        Resource: CUR_BUCKET,
      },
      {
        Sid: "SourceObjects",
        Effect: "Allow",
        Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
        Resource: `${CUR_BUCKET}/cur/*`,
      },
      {
        Sid: "DestinationObjects",
        Effect: "Allow",
        Action: [
          "s3:ReplicateObject",
          "s3:ReplicateDelete",
          "s3:ReplicateTags",
          "s3:ObjectOwnerOverrideToBucketOwner",
        ],
        Resource: `${REPLICA_BUCKET}/cur/*`,
      },
    ]);
  });

  it("replicates the export folder to the admin account with delete markers, owner override and no RTC by default", () => {
    const conf = resource(
      s.payer,
      "aws_s3_bucket_replication_configuration",
      "cur-replication/configuration",
    );
    expect(conf.bucket).toBe(`finops-cur-${PAYER}`);
    expect(conf.role).toMatch(/^\$\{aws_iam_role\.cur-replication_role_\w+\.arn\}$/);
    expect(conf.rule).toEqual([
      {
        id: "replicate-finops-cur2",
        priority: 1,
        status: "Enabled",
        filter: { prefix: "cur/finops-cur2/" },
        delete_marker_replication: { status: "Enabled" },
        destination: {
          bucket: REPLICA_BUCKET,
          account: ADMIN,
          storage_class: "STANDARD",
          access_control_translation: { owner: "Destination" },
        },
      },
    ]);
    expect(conf.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_s3_bucket_versioning\.cur-bucket_versioning/)]),
    );
  });

  it("makes the admin replica bucket accept only the payer's replication role, pinned by aws:PrincipalArn", () => {
    const policy = bySid(resource(s.admin, "aws_s3_bucket_policy", "cur-replica-bucket/policy").policy);
    const pin = { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${PAYER}:role/finops-cur-replication` } };
    expect(policy.AllowPayerReplicationWrite).toEqual({
      Sid: "AllowPayerReplicationWrite",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${PAYER}:root` },
      Action: [
        "s3:ReplicateObject",
        "s3:ReplicateDelete",
        "s3:ReplicateTags",
        "s3:ObjectOwnerOverrideToBucketOwner",
      ],
      Resource: `${REPLICA_BUCKET}/cur/*`,
      Condition: pin,
    });
    expect(policy.AllowPayerReplicationVersioning).toEqual({
      Sid: "AllowPayerReplicationVersioning",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${PAYER}:root` },
      Action: ["s3:GetBucketVersioning", "s3:PutBucketVersioning"],
      Resource: REPLICA_BUCKET,
      Condition: pin,
    });
    expect(policy.AllowDataExportsDelivery).toBeUndefined();
    expect(Object.keys(policy)).toEqual([
      "DenyInsecureTransport",
      "DenyOutdatedTls",
      "AllowPayerReplicationWrite",
      "AllowPayerReplicationVersioning",
    ]);
    expect(
      resource(s.admin, "aws_s3_bucket_versioning", "cur-replica-bucket/versioning").versioning_configuration,
    ).toEqual({ status: "Enabled" });
  });

  it("trusts the admin root for the read role only when the caller is a named admin function role with the external id", () => {
    const role = resource(s.payer, "aws_iam_role", "payer-read/role");
    expect(role.name).toBe("finops-payer-read");
    expect(role.max_session_duration).toBe(3600);
    const [trust, ...rest] = statements(role.assume_role_policy);
    expect(rest).toEqual([]);
    expect(trust).toEqual({
      Sid: "AdminFunctionsWithExternalId",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ADMIN}:root` },
      Action: "sts:AssumeRole",
      Condition: {
        ArnEquals: {
          "aws:PrincipalArn": [
            `arn:aws:iam::${ADMIN}:role/finops-account-sync`,
            `arn:aws:iam::${ADMIN}:role/finops-tool-cost-explorer`,
          ],
        },
        StringEquals: {
          "sts:ExternalId": expect.stringMatching(
            /^\$\{terraform_data\.payer-read-external-id_value_\w+\.output\.externalId\}$/,
          ),
        },
      },
    });
  });

  it("gives the read role read-only Cost Explorer, Organizations and Data Exports actions, scoped where the service allows", () => {
    const policy = statements(resource(s.payer, "aws_iam_role_policy", "payer-read/policy").policy);
    const org = `arn:aws:organizations::${PAYER}`;
    expect(policy).toEqual([
      {
        Sid: "CostExplorerRead",
        Effect: "Allow",
        Action: ["ce:GetCostAndUsage", "ce:GetCostForecast"],
        Resource: "*",
      },
      {
        Sid: "OrganizationsReadGlobal",
        Effect: "Allow",
        Action: [
          "organizations:DescribeOrganization",
          "organizations:ListAccounts",
          "organizations:ListRoots",
        ],
        Resource: "*",
      },
      {
        Sid: "OrganizationsReadTree",
        Effect: "Allow",
        Action: [
          "organizations:DescribeAccount",
          "organizations:DescribeOrganizationalUnit",
          "organizations:ListAccountsForParent",
          "organizations:ListChildren",
          "organizations:ListOrganizationalUnitsForParent",
          "organizations:ListParents",
          "organizations:ListTagsForResource",
        ],
        Resource: [`${org}:account/o-*/*`, `${org}:ou/o-*/ou-*`, `${org}:root/o-*/r-*`],
      },
      {
        Sid: "DataExportsReadList",
        Effect: "Allow",
        Action: ["bcm-data-exports:ListExports", "cur:DescribeReportDefinitions"],
        Resource: "*",
      },
      {
        Sid: "DataExportsRead",
        Effect: "Allow",
        Action: [
          "bcm-data-exports:GetExport",
          "bcm-data-exports:ListExecutions",
          "bcm-data-exports:GetExecution",
        ],
        Resource: `arn:aws:bcm-data-exports:us-east-1:${PAYER}:export/*`,
      },
    ]);
    const actions = policy.flatMap((st) => st.Action);
    expect(actions.filter((a) => !/:(Get|List|Describe)/.test(a))).toEqual([]);
  });

  it("mints the external id once with uuid() kept by ignore_changes, and writes it to the admin account's secret", () => {
    const minted = resource(s.payer, "terraform_data", "payer-read-external-id/value");
    expect(minted.input).toEqual({ externalId: `${"$"}{uuid()}` });
    expect(minted.lifecycle).toEqual({ ignore_changes: ["input"] });

    const secret = resource(s.payer, "aws_secretsmanager_secret", "payer-read-external-id/secret");
    expect(secret.name).toBe("finops/payer-read-external-id");
    expect(secret.provider).toBe("aws.admin");
    const version = resource(
      s.payer,
      "aws_secretsmanager_secret_version",
      "payer-read-external-id/secret-value",
    );
    expect(version.provider).toBe("aws.admin");
    expect(version.secret_string).toMatch(
      /^\$\{terraform_data\.payer-read-external-id_value_\w+\.output\.externalId\}$/,
    );

    const admin = (s.payerStack.provider.aws as Record<string, Json>[]).find((p) => p.alias === "admin")!;
    expect(admin.allowed_account_ids).toEqual([ADMIN]);
    expect(admin.assume_role[0].role_arn).toBe(`arn:aws:iam::${ADMIN}:role/OrganizationAccountAccessRole`);
  });

  it("never contains an external id literal in the synthesized JSON", () => {
    expect(s.payerJson).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    expect(s.payerJson).not.toMatch(/"sts:ExternalId":\s*"(?!\$\{)/);
  });

  it("creates neither FOCUS nor Cost Optimization Hub exports unless asked", () => {
    expect(Object.keys(s.payer.aws_bcmdataexports_export ?? {})).toHaveLength(1);
  });
});

describe("payer stack, direct delivery", () => {
  const s = synthPayerAdmin(
    localConfig((d) => {
      d.cur.delivery = "direct";
    }),
  );

  it("creates no payer bucket, replication role or replication configuration", () => {
    expect(s.payer.aws_s3_bucket).toBeUndefined();
    expect(s.payer.aws_s3_bucket_replication_configuration).toBeUndefined();
    // The read role, and the role that forwards Organizations' account events (org-events-forwarding).
    expect(Object.values(s.payer.aws_iam_role ?? {}).map((r) => r.name)).toEqual([
      "finops-org-account-events",
      "finops-payer-read",
    ]);
  });

  it("points the export at the admin's bucket in the admin's region", () => {
    const dest = resource(s.payer, "aws_bcmdataexports_export", "data-exports/cur2").export[0]
      .destination_configurations[0].s3_destination[0];
    expect(dest).toMatchObject({
      s3_bucket: `finops-cur-replica-${ADMIN}`,
      s3_prefix: "cur",
      s3_region: "us-east-1",
    });
  });

  it("lets the payer's Data Exports (only) write to the admin's bucket, and no replication principal", () => {
    const policy = statements(resource(s.admin, "aws_s3_bucket_policy", "cur-replica-bucket/policy").policy);
    expect(policy).toEqual([...tlsOnlyStatements(REPLICA_BUCKET), DATA_EXPORTS_STATEMENT(REPLICA_BUCKET)]);
  });
});

describe("payer stack, every option on", () => {
  const s = synthPayerAdmin(
    localConfig((d) => {
      d.cur = {
        ...d.cur,
        timeGranularity: "HOURLY",
        splitCostAllocationData: true,
        includeIamPrincipalData: true,
        replicationTimeControl: true,
        focus: { enabled: true },
        costOptimizationHub: { enabled: true },
      };
    }),
  );

  it("adds split cost allocation and IAM principal columns and options to the CUR 2.0 query", () => {
    const q = resource(s.payer, "aws_bcmdataexports_export", "data-exports/cur2").export[0].data_query[0];
    expect(q.query_statement).toBe(
      `SELECT ${[...CUR2_COLUMNS, ...CUR2_SPLIT_COST_COLUMNS, ...CUR2_IAM_PRINCIPAL_COLUMNS].join(", ")} FROM COST_AND_USAGE_REPORT`,
    );
    expect(q.table_configurations.COST_AND_USAGE_REPORT).toMatchObject({
      TIME_GRANULARITY: "HOURLY",
      INCLUDE_SPLIT_COST_ALLOCATION_DATA: "TRUE",
      INCLUDE_IAM_PRINCIPAL_DATA: "TRUE",
    });
  });

  it("adds the FOCUS 1.2 and Cost Optimization Hub exports beside CUR 2.0, same bucket and prefix", () => {
    const focus = resource(s.payer, "aws_bcmdataexports_export", "data-exports/focus").export[0];
    const coh = resource(s.payer, "aws_bcmdataexports_export", "data-exports/coh").export[0];
    expect(focus.name).toBe("finops-cur2-focus");
    expect(focus.data_query[0].query_statement).toMatch(
      /^SELECT AvailabilityZone, BilledCost, .* FROM FOCUS_1_2_AWS$/,
    );
    expect(coh.name).toBe("finops-cur2-coh");
    expect(coh.data_query[0].table_configurations).toEqual({
      COST_OPTIMIZATION_RECOMMENDATIONS: { FILTER: "{}", INCLUDE_ALL_RECOMMENDATIONS: "TRUE" },
    });
    for (const e of [focus, coh]) {
      expect(e.destination_configurations[0].s3_destination[0]).toMatchObject({
        s3_bucket: `finops-cur-${PAYER}`,
        s3_prefix: "cur",
      });
    }
  });

  it("replicates each export folder with its own rule and Replication Time Control with metrics", () => {
    const rules = resource(
      s.payer,
      "aws_s3_bucket_replication_configuration",
      "cur-replication/configuration",
    ).rule;
    expect(rules.map((r: Json) => [r.id, r.priority, r.filter.prefix])).toEqual([
      ["replicate-finops-cur2", 1, "cur/finops-cur2/"],
      ["replicate-finops-cur2-focus", 2, "cur/finops-cur2-focus/"],
      ["replicate-finops-cur2-coh", 3, "cur/finops-cur2-coh/"],
    ]);
    for (const r of rules) {
      expect(r.destination.replication_time).toEqual({ status: "Enabled", time: { minutes: 15 } });
      expect(r.destination.metrics).toEqual({ status: "Enabled", event_threshold: { minutes: 15 } });
    }
  });
});

describe("the CUR home region rule", () => {
  it("refuses a CUR export outside us-east-1 with the reason", () => {
    expect(() =>
      localConfig((d) => {
        d.cur.homeRegion = "eu-west-1";
      }),
    ).toThrow(
      /cur\.homeRegion: is "eu-west-1", but AWS Data Exports \(CUR 2\.0, FOCUS\) exist only in us-east-1/,
    );
  });
});
