import { loadAccountConfig } from "../../../../config/load";
import { CUR_COMMITTED_SOURCE, EVENT_BUS_ARN_PATTERN } from "../../../../contracts/events";
import { isWildcardAllowed } from "../../../../contracts/iam-wildcards";
import { ACCOUNT_EVENTS_PATTERN } from "../../../../contracts/organizations-events";
import { TABLE_DEFINITIONS } from "../../../../contracts/tables";
import { localConfigWith, resourcesOf, type StackJson, synthConfig } from "../../../support/synth";

/** What the admin stack's data platform synthesizes, for the example organization (target aws) and the local one. */
const example = synthConfig(loadAccountConfig("accounts/example.yaml"));
const adminJson = example.stacks.admin as StackJson;
const of = (type: string) => resourcesOf(adminJson).filter(([t]) => t === type);
const one = (type: string, name: string) =>
  of(type).find(([, , b]) => b.name === name || b.function_name === name)?.[2];

describe("DynamoDB tables", () => {
  it.each(Object.keys(TABLE_DEFINITIONS))(
    "%s has PITR, the data key, deletion protection and prevent_destroy",
    (t) => {
      const table = one("aws_dynamodb_table", `finops-${t}`)!;
      expect(table).toBeDefined();
      expect(table.point_in_time_recovery).toEqual({ enabled: true });
      expect(table.server_side_encryption.enabled).toBe(true);
      expect(table.server_side_encryption.kms_key_arn).toMatch(
        /^\$\{aws_kms_key\.data-platform_keys_data-key_\w+\.arn\}$/,
      );
      expect(table.deletion_protection_enabled).toBe(true);
      expect(table.lifecycle.prevent_destroy).toBe(true);
      expect(table.billing_mode).toBe("PAY_PER_REQUEST");
    },
  );

  it("expires ingestion run records with TTL, and nothing else", () => {
    const withTtl = of("aws_dynamodb_table").filter(([, , b]) => b.ttl);
    expect(withTtl.map(([, , b]) => [b.name, b.ttl])).toEqual([
      ["finops-ingestion-runs", { attribute_name: "expiresAt", enabled: true }],
    ]);
  });

  it("lets a throw-away organization (allowDataStoreDestroy) destroy its tables", () => {
    const local = synthConfig(loadAccountConfig("accounts/local.yaml")).stacks.admin as StackJson;
    for (const [, , t] of resourcesOf(local).filter(([type]) => type === "aws_dynamodb_table")) {
      expect(t.deletion_protection_enabled).toBe(false);
      expect(t.lifecycle.prevent_destroy).toBe(false);
    }
  });
});

describe("KMS keys", () => {
  it("rotate, and their policies name the account, CloudWatch Logs (context pinned) and S3 (source account pinned)", () => {
    const keys = of("aws_kms_key");
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const [, name, k] of keys.filter(([, n]) => n.startsWith("data-platform"))) {
      expect([name, k.enable_key_rotation]).toEqual([name, true]);
      const policy = JSON.parse(k.policy);
      for (const s of policy.Statement) expect(s.Principal).not.toBe("*");
    }
    const functions =
      keys.find(([n]) => n.includes("functions-key"))?.[2] ??
      keys.find(([, n]) => n.includes("functions-key"))![2];
    const statements = JSON.parse(functions.policy).Statement;
    expect(
      statements.find((s: StackJson) => s.Sid === "CloudWatchLogsForThisAccountsLogGroups").Condition,
    ).toEqual({
      ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:000000000002:log-group:*" },
    });
  });
});

describe("Athena and Glue", () => {
  it("enforces the workgroup configuration, encrypts results with KMS and cuts queries off at the configured size", () => {
    const wg = one("aws_athena_workgroup", "finops-cur")!;
    expect(wg.configuration.enforce_workgroup_configuration).toBe(true);
    expect(wg.configuration.bytes_scanned_cutoff_per_query).toBe(10240 * 1024 * 1024);
    expect(wg.configuration.result_configuration.encryption_configuration.encryption_option).toBe("SSE_KMS");
    expect(wg.configuration.result_configuration.output_location).toBe(
      "s3://finops-athena-results-000000000002/results/",
    );
    expect(Object.keys(wg.tags).length).toBeGreaterThan(0);
  });

  it("takes the cutoff from config", () => {
    const c = localConfigWith((y) => `${y}\ndataPlatform:\n  athenaBytesScannedCutoffMb: 512\n`);
    const wg = resourcesOf(synthConfig(c).stacks.admin).find(([t]) => t === "aws_athena_workgroup")![2];
    expect(wg.configuration.bytes_scanned_cutoff_per_query).toBe(512 * 1024 * 1024);
  });

  it("projects billing_period partitions over the replica prefix (no crawler)", () => {
    const table = one("aws_glue_catalog_table", "cur2")!;
    expect(table.partition_keys).toEqual([
      { name: "billing_period", type: "string", comment: "YYYY-MM (BILLING_PERIOD=)" },
    ]);
    expect(table.parameters).toMatchObject({
      "projection.enabled": "true",
      "projection.billing_period.type": "date",
      "projection.billing_period.format": "yyyy-MM",
      "projection.billing_period.range": "2020-01,NOW",
      "projection.billing_period.interval": "1",
      "projection.billing_period.interval.unit": "MONTHS",
      // $$ is Terraform's escape: Athena sees ${billing_period}
      "storage.location.template":
        "s3://finops-cur-replica-000000000002/cur/finops-cur2/data/BILLING_PERIOD=$${billing_period}/",
    });
    const columns = table.storage_descriptor.columns as { name: string; type: string }[];
    expect(columns).toEqual(
      expect.arrayContaining([
        { name: "line_item_unblended_cost", type: "double" },
        { name: "line_item_usage_start_date", type: "timestamp" },
        { name: "resource_tags", type: "map<string,string>" },
      ]),
    );
    expect(of("aws_glue_crawler")).toEqual([]);
  });

  it("adds the FOCUS table when the export is enabled (example config) and not otherwise", () => {
    expect(one("aws_glue_catalog_table", "focus")!.parameters["storage.location.template"]).toContain(
      "/cur/finops-cur2-focus/data/BILLING_PERIOD=",
    );
    const local = synthConfig(loadAccountConfig("accounts/local.yaml")).stacks.admin as StackJson;
    expect(
      resourcesOf(local).filter(([t, , b]) => t === "aws_glue_catalog_table" && b.name === "focus"),
    ).toEqual([]);
  });
});

describe("functions", () => {
  const fns = ["finops-account-sync", "finops-cur-ingest"];

  it.each(fns)(
    "%s runs Node.js 22 on arm64 with X-Ray, reserved concurrency, an encrypted environment and source maps",
    (fn) => {
      const f = one("aws_lambda_function", fn)!;
      expect(f.runtime).toBe("nodejs22.x");
      expect(f.architectures).toEqual(["arm64"]);
      expect(f.tracing_config).toEqual({ mode: "Active" });
      expect(f.reserved_concurrent_executions).toBeGreaterThanOrEqual(1);
      expect(f.kms_key_arn).toMatch(/functions-key/);
      expect(f.environment.variables.NODE_OPTIONS).toBe("--enable-source-maps");
      expect(f.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(f.filename).toMatch(/^assets\//);
      expect(f.role).toMatch(new RegExp(`aws_iam_role\\.data-platform_${fn.replace("finops-", "")}_role_`));
      const group = one("aws_cloudwatch_log_group", `/aws/lambda/${fn}`)!;
      expect(group.retention_in_days).toBe(365);
      expect(group.kms_key_id).toMatch(/functions-key/);
      expect(f.logging_config).toEqual({
        log_format: "JSON",
        log_group: expect.stringMatching(
          /^\$\{aws_cloudwatch_log_group\.data-platform_[\w-]+_logs_\w+\.name\}$/,
        ),
      });
    },
  );

  it("gives account-sync, invoked asynchronously by EventBridge, a KMS-encrypted DLQ", () => {
    const f = one("aws_lambda_function", "finops-account-sync")!;
    expect(f.dead_letter_config.target_arn).toMatch(/aws_sqs_queue\.data-platform_account-sync_dlq_\w+\.arn/);
    const dlq = one("aws_sqs_queue", "finops-account-sync-dlq")!;
    expect(dlq.kms_master_key_id).toMatch(/functions-key/);
  });

  it("triggers cur-ingest from manifest notifications through an encrypted queue with a DLQ", () => {
    const n = of("aws_s3_bucket_notification")[0]![2];
    expect(n.queue[0]).toMatchObject({
      events: ["s3:ObjectCreated:*"],
      filter_prefix: "cur/finops-cur2/metadata/",
      filter_suffix: "-Manifest.json",
    });
    const q = one("aws_sqs_queue", "finops-cur-manifests")!;
    expect(JSON.parse(q.redrive_policy).maxReceiveCount).toBe(3);
    expect(q.visibility_timeout_seconds).toBe(5400);
    expect(JSON.parse(q.policy).Statement[0].Condition.ArnEquals["aws:SourceArn"]).toBe(
      "arn:aws:s3:::finops-cur-replica-000000000002",
    );
    const esm = of("aws_lambda_event_source_mapping")[0]![2];
    expect(esm.function_response_types).toEqual(["ReportBatchItemFailures"]);
  });

  it("runs account-sync on the configured schedule and on Organizations' account events on the central bus", () => {
    expect(one("aws_cloudwatch_event_rule", "finops-account-sync-schedule")!.schedule_expression).toBe(
      "rate(6 hours)",
    );
    const rule = one("aws_cloudwatch_event_rule", "finops-account-sync-account-created")!;
    // The payer forwards the events to the central bus (modules/payer/org-events-forwarding.ts).
    expect(rule.event_bus_name).toBe("finops-central");
    expect(JSON.parse(rule.event_pattern)).toEqual(ACCOUNT_EVENTS_PATTERN);
    expect(rule.depends_on).toEqual([
      expect.stringMatching(/^aws_cloudwatch_event_bus\.monitoring_central_bus_\w+$/),
    ]);
    const target = of("aws_cloudwatch_event_target")
      .map(([, , b]) => b)
      .find((t) => String(t.rule).includes("account-sync-account-created"))!;
    expect(target.event_bus_name).toBe("finops-central");
    expect(target.arn).toMatch(/aws_lambda_function\.data-platform_account-sync_function_\w+\.arn/);
  });

  it("refuses account-sync in another region than the central bus, naming the fix", () => {
    // A rule's Lambda target must be in the rule's region (the central bus: organization.homeRegion);
    // the config rules refuse such an admin first (the module refuses it too, for direct callers).
    expect(() =>
      localConfigWith((y) => y.replace(/(admin:[\s\S]*?regions: )\[us-east-1\]/, "$1[eu-west-1, us-east-1]")),
    ).toThrow(/list us-east-1 first in admin\.regions/);
  });
});

describe("least privilege of the functions' roles", () => {
  const policies = of("aws_iam_role_policy").filter(([, n]) => n.startsWith("data-platform"));
  const statements = (n: string) =>
    JSON.parse(policies.find(([, name]) => name.includes(n))![2].policy).Statement as StackJson[];

  it("has no wildcard actions, and Resource * only for allowlisted actions", () => {
    expect(policies).toHaveLength(2);
    for (const [, , p] of policies) {
      for (const s of JSON.parse(p.policy).Statement) {
        const actions = [s.Action].flat() as string[];
        for (const a of actions) expect(a).not.toMatch(/(^\*$|:\*$)/);
        if ([s.Resource].flat().includes("*"))
          for (const a of actions) expect([a, isWildcardAllowed(a)]).toEqual([a, true]);
      }
    }
  });

  it("lets cur-ingest write only the spend and run tables, and read only the export's prefix", () => {
    const s = statements("cur-ingest");
    const dynamo = s.filter((x) => [x.Action].flat().some((a: string) => a.startsWith("dynamodb:")));
    expect(dynamo.map((x) => x.Resource).sort()).toEqual(
      [
        expect.stringMatching(/dynamodb_table\.data-platform_tables_ingestion-runs_\w+\.arn/),
        expect.stringMatching(/dynamodb_table\.data-platform_tables_spend_\w+\.arn/),
      ].sort(),
    );
    expect(s.find((x) => x.Sid === "ReadCurExport")!.Resource).toBe(
      "arn:aws:s3:::finops-cur-replica-000000000002/cur/finops-cur2/*",
    );
    expect(s.find((x) => x.Sid === "AthenaQueriesInTheWorkgroup")!.Resource).toBe(
      "arn:aws:athena:us-east-1:000000000002:workgroup/finops-cur",
    );
  });

  it("names each function's tables in the variables every function uses for them (contracts/tables.ts)", () => {
    const env = (fn: string) => one("aws_lambda_function", `finops-${fn}`)!.environment.variables;
    expect(env("cur-ingest")).toMatchObject({
      SPEND_TABLE: "finops-spend",
      INGESTION_RUNS_TABLE: "finops-ingestion-runs",
    });
    expect(env("cur-ingest").RUNS_TABLE).toBeUndefined();
    expect(env("account-sync")).toMatchObject({ ACCOUNTS_TABLE: "finops-accounts" });
  });

  it("lets cur-ingest put only its own committed-period events, on the bus its environment names", () => {
    const publish = statements("cur-ingest").filter((x) =>
      [x.Action].flat().some((a: string) => a.startsWith("events:")),
    );
    expect(publish).toEqual([
      {
        Sid: "AnnounceCommittedPeriods",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: "arn:aws:events:us-east-1:000000000002:event-bus/default",
        Condition: { StringEquals: { "events:source": CUR_COMMITTED_SOURCE } },
      },
    ]);
    const env = one("aws_lambda_function", "finops-cur-ingest")!.environment.variables;
    expect(env.CUR_EVENT_BUS_ARN).toBe(publish[0]!.Resource);
    expect(env.CUR_EVENT_BUS_ARN).toMatch(EVENT_BUS_ARN_PATTERN);
    // account-sync publishes nothing.
    expect(JSON.stringify(statements("account-sync"))).not.toContain("events:");
  });

  it("lets account-sync read Organizations in delegated-admin mode, and only assume the payer role in payer-role mode", () => {
    expect(statements("account-sync").map((x) => x.Sid)).toEqual(
      expect.arrayContaining(["OrganizationsListAccounts", "OrganizationsReadTree"]),
    );
    const c = localConfigWith((y) => `${y}\ndataPlatform:\n  accountSync:\n    mode: payer-role\n`);
    const json = synthConfig(c).stacks.admin as StackJson;
    const p = resourcesOf(json).find(
      ([t, n]) => t === "aws_iam_role_policy" && n.includes("account-sync"),
    )![2];
    const s = JSON.parse(p.policy).Statement as StackJson[];
    expect(s.some((x) => [x.Action].flat().some((a: string) => a.startsWith("organizations:")))).toBe(false);
    expect(s.find((x) => x.Sid === "AssumePayerReadRole")!.Resource).toBe(
      "arn:aws:iam::111111111111:role/finops-payer-read",
    );
    expect(s.find((x) => x.Sid === "ReadExternalId")!.Resource).toBe(
      "arn:aws:secretsmanager:us-east-1:222222222222:secret:finops/payer-read-external-id-??????",
    );
    const f = resourcesOf(json).find(
      ([t, , b]) => t === "aws_lambda_function" && b.function_name === "finops-account-sync",
    )![2];
    expect(f.environment.variables).toMatchObject({
      SYNC_MODE: "payer-role",
      PAYER_READ_ROLE_ARN: "arn:aws:iam::111111111111:role/finops-payer-read",
      EXTERNAL_ID_SECRET_ID: "finops/payer-read-external-id",
    });
  });

  it("trusts only Lambda in the same account", () => {
    for (const [, n, r] of of("aws_iam_role").filter(([, n]) => n.startsWith("data-platform"))) {
      expect([n, JSON.parse(r.assume_role_policy).Statement]).toEqual([
        n,
        [
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": "000000000002" } },
          },
        ],
      ]);
    }
  });
});

describe("synth output", () => {
  it("is byte-identical across runs (deterministic bundles and asset hashes)", () => {
    const again = synthConfig(loadAccountConfig("accounts/example.yaml"));
    expect(again.text.admin).toBe(example.text.admin);
  });

  it("carries no emulator ignore_changes for the functions outside the local target", () => {
    for (const [, , f] of of("aws_lambda_function")) expect(f.lifecycle?.ignore_changes).toBeUndefined();
  });
});
