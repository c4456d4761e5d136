import { loadAccountConfig } from "../../../../config/load";
import { GROUPS, ROUTE_KEYS } from "../../../../contracts/api";
import { isWildcardAllowed } from "../../../../contracts/iam-wildcards";
import { validateAsl } from "../../../../emulator/gap-filler/stepfunctions-validate";
import { resourcesOf, type StackJson, synthConfig } from "../../../support/synth";

/** What the admin stack's FinOps application synthesizes for the example organization. */
const admin = synthConfig(loadAccountConfig("accounts/example.yaml")).stacks.admin as StackJson;
const of = (type: string) => resourcesOf(admin).filter(([t]) => t === type);
const only = (type: string) => {
  const all = of(type);
  expect(all).toHaveLength(1);
  return all[0]![2];
};
const policyOfRole = (roleName: string) => {
  const role = of("aws_iam_role").find(([, , r]) => r.name === roleName);
  expect(role).toBeDefined();
  const policy = of("aws_iam_role_policy").find(([, , p]) => p.role === `\${aws_iam_role.${role![1]}.id}`);
  return JSON.parse(policy![2].policy).Statement as StackJson[];
};

describe("users", () => {
  it("are admin-created only, sign in with email, a strong password and required TOTP MFA (target aws), under enforced threat protection", () => {
    const pool = only("aws_cognito_user_pool");
    expect(pool.admin_create_user_config.allow_admin_create_user_only).toBe(true);
    expect(pool.username_attributes).toEqual(["email"]);
    expect(pool.password_policy).toMatchObject({
      minimum_length: 14,
      require_lowercase: true,
      require_uppercase: true,
      require_numbers: true,
      require_symbols: true,
    });
    expect(pool.mfa_configuration).toBe("ON");
    expect(pool.software_token_mfa_configuration).toEqual({ enabled: true });
    expect(pool.user_pool_tier).toBe("PLUS");
    expect(pool.user_pool_add_ons).toEqual({ advanced_security_mode: "ENFORCED" });
    expect(pool.deletion_protection).toBe("ACTIVE");
  });

  it("has exactly the FinOps groups", () => {
    expect(
      of("aws_cognito_user_group")
        .map(([, , g]) => g.name)
        .sort(),
    ).toEqual([...GROUPS].sort());
  });

  it("has one public web client: code flow only (PKCE), no secret, no password auth", () => {
    const client = only("aws_cognito_user_pool_client");
    expect(client.generate_secret).toBe(false);
    expect(client.allowed_oauth_flows).toEqual(["code"]);
    expect(client.explicit_auth_flows).toEqual(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
    expect(client.prevent_user_existence_errors).toBe("ENABLED");
  });

  it("reads exactly the attributes the API takes from the ID token (email, email_verified)", () => {
    // functions/api/router.ts scopes a user by email only when email_verified is true; the ID token
    // carries the attributes the client may read (CreateUserPoolClient, ReadAttributes).
    expect(only("aws_cognito_user_pool_client").read_attributes).toEqual(["email", "email_verified"]);
  });
});

describe("the HTTP API", () => {
  it("has one route per operation, every one behind the Cognito JWT authorizer", () => {
    const routes = of("aws_apigatewayv2_route").map(([, , r]) => r);
    expect(routes.map((r) => r.route_key).sort()).toEqual([...ROUTE_KEYS].sort());
    for (const r of routes) {
      expect([r.route_key, r.authorization_type]).toEqual([r.route_key, "JWT"]);
      expect(r.authorizer_id).toMatch(/^\$\{aws_apigatewayv2_authorizer\./);
    }
    const authorizer = only("aws_apigatewayv2_authorizer");
    expect(authorizer.jwt_configuration.issuer).toMatch(
      /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/\$\{aws_cognito_user_pool\./,
    );
    expect(authorizer.jwt_configuration.audience).toEqual([
      expect.stringMatching(/^\$\{aws_cognito_user_pool_client\./),
    ]);
  });

  it("throttles the stage and writes JSON access logs to a KMS-encrypted log group", () => {
    const stage = only("aws_apigatewayv2_stage");
    expect(stage.default_route_settings).toMatchObject({
      throttling_rate_limit: 50,
      throttling_burst_limit: 100,
    });
    expect(JSON.parse(stage.access_log_settings.format)).toMatchObject({ routeKey: "$context.routeKey" });
    const logs = of("aws_cloudwatch_log_group").find(([, , g]) => g.name === "/finops/api/access")![2];
    expect(logs.kms_key_id).toMatch(/aws_kms_key/);
  });
});

describe("the approval workflow", () => {
  it("is a valid ASL state machine with execution logging and X-Ray tracing on", () => {
    const sm = only("aws_sfn_state_machine");
    expect(validateAsl(sm.definition)).toEqual([]);
    expect(sm.tracing_configuration).toEqual({ enabled: true });
    expect(sm.logging_configuration.level).toBe("ALL");
    const group = of("aws_cloudwatch_log_group").find(
      ([, , g]) => g.name === "/aws/vendedlogs/states/finops-budget-approval",
    )![2];
    expect(group.kms_key_id).toMatch(/aws_kms_key/);
  });
});

describe("spend cards", () => {
  it("run every Monday in the configured time zone and on invoiced CUR commits", () => {
    const schedule = only("aws_scheduler_schedule");
    expect(schedule.schedule_expression).toBe("cron(0 6 ? * MON *)");
    expect(schedule.schedule_expression_timezone).toBeTruthy();
    expect(JSON.parse(schedule.target.input)).toEqual({ kind: "weekly" });
    const rule = of("aws_cloudwatch_event_rule").find(
      ([, , r]) => r.name === "finops-spend-cards-cur-committed",
    )![2];
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["finops.cur-ingest"],
      "detail-type": ["CUR billing period committed"],
      detail: { invoiced: [true] },
    });
  });

  it("listen for the committed-period event on the bus cur-ingest puts it on", () => {
    const rule = of("aws_cloudwatch_event_rule").find(
      ([, , r]) => r.name === "finops-spend-cards-cur-committed",
    )!;
    const target = of("aws_cloudwatch_event_target").find(
      ([, , t]) => t.rule === `\${aws_cloudwatch_event_rule.${rule[1]}.name}`,
    )![2];
    const ingest = of("aws_lambda_function").find(([, , f]) => f.function_name === "finops-cur-ingest")![2];
    const bus: string = ingest.environment.variables.CUR_EVENT_BUS_ARN;
    expect(bus).toBe("arn:aws:events:us-east-1:000000000002:event-bus/default");
    expect(rule[2].event_bus_name).toBe(bus.split(":event-bus/")[1]);
    expect(target.event_bus_name).toBe(rule[2].event_bus_name);
  });
});

describe("spend cards' dead letters", () => {
  const dlq = of("aws_sqs_queue").find(([, , q]) => q.name === "finops-spend-cards-dlq");
  const dlqArn = `\${aws_sqs_queue.${dlq?.[1]}.arn}`;

  it("reach the DLQ from the weekly schedule: its role may send there and use the key only through SQS", () => {
    expect(dlq).toBeDefined();
    const schedule = only("aws_scheduler_schedule");
    expect(schedule.target.dead_letter_config).toEqual({ arn: dlqArn });
    const statements = policyOfRole("finops-spend-cards-scheduler");
    expect(statements.find((s) => s.Sid === "SendToDeadLetterQueue")).toEqual({
      Sid: "SendToDeadLetterQueue",
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: dlqArn,
    });
    expect(statements.find((s) => s.Sid === "DeadLetterQueueKeyThroughSqs")).toMatchObject({
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: dlq![2].kms_master_key_id,
      Condition: { StringEquals: { "kms:ViaService": "sqs.us-east-1.amazonaws.com" } },
    });
  });

  it("reach the DLQ from the committed-period rule: the queue admits EventBridge for that rule only", () => {
    const rule = of("aws_cloudwatch_event_rule").find(
      ([, , r]) => r.name === "finops-spend-cards-cur-committed",
    )!;
    const policy = of("aws_sqs_queue_policy").find(
      ([, , p]) => p.queue_url === `\${aws_sqs_queue.${dlq![1]}.url}`,
    );
    expect(policy).toBeDefined();
    expect(JSON.parse(policy![2].policy).Statement).toEqual([
      {
        Sid: "CurCommittedRuleDeadLetters",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: dlqArn,
        Condition: { ArnEquals: { "aws:SourceArn": `\${aws_cloudwatch_event_rule.${rule[1]}.arn}` } },
      },
    ]);
  });
});

describe("least privilege of the application's roles", () => {
  const roles = [
    "finops-api",
    "finops-spend-cards",
    "finops-approvals",
    "finops-tool-cost-explorer",
    "finops-tool-athena",
    "finops-tool-cur-summary",
    "finops-budget-approval-sfn",
    "finops-spend-cards-scheduler",
  ];

  it.each(roles)("%s grants no service wildcard and Resource * only for allowlisted actions", (role) => {
    for (const s of policyOfRole(role)) {
      const actions = [s.Action].flat() as string[];
      expect(actions.filter((a) => a.endsWith(":*") || a === "*")).toEqual([]);
      if (s.Resource === "*") expect(actions.filter((a) => !isWildcardAllowed(a))).toEqual([]);
    }
  });

  it("lets only the API start and complete approvals, and the Athena tool only run queries in the workgroup", () => {
    const api = policyOfRole("finops-api");
    expect(api.find((s) => s.Sid === "ApprovalWorkflow")).toEqual({
      Sid: "ApprovalWorkflow",
      Effect: "Allow",
      Action: "states:StartExecution",
      Resource: expect.stringMatching(
        /^arn:aws:states:us-east-1:000000000002:stateMachine:finops-budget-approval$/,
      ),
    });
    // User administration (POST /users, PUT /users/{username}/groups): exactly these Cognito
    // actions, on the user pool only; no other role holds any cognito-idp:Admin* action.
    const userPool =
      /^arn:aws:cognito-idp:us-east-1:000000000002:userpool\/\$\{aws_cognito_user_pool\.[\w-]+\.id\}$/;
    expect(api.filter((s) => JSON.stringify(s.Action).includes("cognito-idp:"))).toEqual([
      {
        Sid: "ListUsersAndGroups",
        Effect: "Allow",
        Action: ["cognito-idp:ListUsers", "cognito-idp:ListUsersInGroup"],
        Resource: expect.stringMatching(userPool),
      },
      {
        Sid: "InviteUsersAndSetGroups",
        Effect: "Allow",
        Action: [
          "cognito-idp:AdminCreateUser",
          "cognito-idp:AdminAddUserToGroup",
          "cognito-idp:AdminRemoveUserFromGroup",
          "cognito-idp:AdminListGroupsForUser",
        ],
        Resource: expect.stringMatching(userPool),
      },
    ]);
    for (const role of roles.filter((r) => r !== "finops-api"))
      expect(JSON.stringify(policyOfRole(role))).not.toMatch(/cognito-idp:Admin/);
    // SendTaskSuccess has no resource type: "*" (allowlisted with its reason), alone in its statement.
    expect(api.find((s) => s.Sid === "ApprovalDecision")).toEqual({
      Sid: "ApprovalDecision",
      Effect: "Allow",
      Action: "states:SendTaskSuccess",
      Resource: "*",
    });
    expect(isWildcardAllowed("states:SendTaskSuccess")).toBe(true);
    for (const role of roles.filter((r) => r !== "finops-api"))
      expect(JSON.stringify(policyOfRole(role))).not.toMatch(/states:SendTask/);
    const athena = policyOfRole("finops-tool-athena");
    const actions = athena.flatMap((s) => [s.Action].flat() as string[]);
    expect(actions.filter((a) => a.startsWith("athena:"))).toEqual([
      "athena:StartQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:StopQueryExecution",
    ]);
    expect(
      actions.filter((a) => /^(glue|s3):(Put|Delete|Create|Update)/.test(a) && !a.startsWith("s3:PutObject")),
    ).toEqual([]);
    expect(actions.some((a) => a.startsWith("dynamodb:"))).toBe(false);
  });

  it("gives the spend-card function no write but its own card upsert", () => {
    const writes = policyOfRole("finops-spend-cards")
      .flatMap((s) => ([s.Action].flat() as string[]).map((a) => [a, s.Resource]))
      .filter(([a]) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(a as string));
    expect(writes).toEqual([
      ["dynamodb:UpdateItem", expect.stringMatching(/aws_dynamodb_table\.app_table-spend-cards/)],
    ]);
  });
});
