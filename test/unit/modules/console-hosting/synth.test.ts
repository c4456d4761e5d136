import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { loadAccountConfig, parseAccountConfig } from "../../../../config/load";
import { SPA_ROUTING_FUNCTION } from "../../../../modules/console-hosting";
import { resourcesOf, type StackJson, type Synthesized, synthConfig } from "../../../support/synth";

/**
 * The hosted finance console in the admin stack (docs/console-hosting.md), synthesized for the
 * example organization (target aws) with the stand-in build test/fixtures/console-dist
 * (test/support/console-dist-env.js), with a custom domain, and for the local organization.
 */
const FIXTURE = path.resolve("test/fixtures/console-dist");
const EXAMPLE = readFileSync("accounts/example.yaml", "utf8");
const CERT = "arn:aws:acm:us-east-1:000000000002:certificate/11111111-2222-3333-4444-555555555555";
const WAF =
  "arn:aws:wafv2:us-east-1:000000000002:global/webacl/finops-console/66666666-7777-8888-9999-000000000000";

function synthAdmin(yaml: string, name: string): StackJson {
  const out: Synthesized = synthConfig(parseAccountConfig(yaml, name), { FINOPS_CONSOLE_DIST: FIXTURE });
  try {
    return out.stacks.admin as StackJson;
  } finally {
    rmSync(out.outdir, { recursive: true, force: true });
  }
}

const ofType = (stack: StackJson, type: string) => resourcesOf(stack).filter(([t]) => t === type);
const one = (stack: StackJson, type: string) => {
  const all = ofType(stack, type);
  expect(all).toHaveLength(1);
  return { name: all[0]![1], body: all[0]![2] };
};
const byPath = (stack: StackJson, type: string, suffix: string) => {
  const hit = ofType(stack, type).filter(([, , b]) => String(b["//"]?.metadata?.path).endsWith(suffix));
  expect(hit).toHaveLength(1);
  return { name: hit[0]![1], body: hit[0]![2] };
};

describe("the hosted console, accounts/example.yaml (target aws, no app section)", () => {
  const admin = synthAdmin(EXAMPLE, "accounts/example.yaml");
  const dist = one(admin, "aws_cloudfront_distribution");
  const distRef = (attr: string) => `\${aws_cloudfront_distribution.${dist.name}.${attr}}`;

  it("serves a private bucket through origin access control, HTTPS only", () => {
    const oac = one(admin, "aws_cloudfront_origin_access_control");
    expect(oac.body).toMatchObject({
      origin_access_control_origin_type: "s3",
      signing_behavior: "always",
      signing_protocol: "sigv4",
    });
    expect(dist.body.origin).toEqual([
      {
        origin_id: "console-bucket",
        domain_name: "finops-console-000000000002.s3.us-east-1.amazonaws.com",
        origin_access_control_id: `\${aws_cloudfront_origin_access_control.${oac.name}.id}`,
      },
    ]);
    expect(dist.body.default_cache_behavior).toMatchObject({
      viewer_protocol_policy: "redirect-to-https",
      allowed_methods: ["GET", "HEAD"],
    });
    expect(dist.body.default_root_object).toBe("index.html");
    // No custom domain: the distribution's own *.cloudfront.net certificate.
    expect(dist.body.viewer_certificate).toEqual({ cloudfront_default_certificate: true });
    expect(dist.body.aliases).toBeUndefined();
    expect(dist.body.web_acl_id).toBeUndefined();
    const bucket = byPath(admin, "aws_s3_bucket", "console/bucket/bucket");
    expect(bucket.body.bucket).toBe("finops-console-000000000002");
    const pab = ofType(admin, "aws_s3_bucket_public_access_block").find(([, , b]) =>
      String(b.bucket).includes(bucket.name),
    );
    expect(pab![2]).toMatchObject({ block_public_policy: true, restrict_public_buckets: true });
  });

  it("lets only this distribution read the bucket (AWS:SourceArn), after the TLS-only denies", () => {
    const policy = byPath(admin, "aws_s3_bucket_policy", "console/bucket/policy");
    const statements = JSON.parse(policy.body.policy).Statement;
    expect(statements.map((s: StackJson) => s.Sid)).toEqual([
      "DenyInsecureTransport",
      "DenyOutdatedTls",
      "CloudFrontReadsConsole",
    ]);
    // The OAC bucket policy of the CloudFront guide:
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
    expect(statements[2]).toEqual({
      Sid: "CloudFrontReadsConsole",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::finops-console-000000000002/*",
      Condition: { StringEquals: { "AWS:SourceArn": distRef("arn") } },
    });
  });

  it("adds strict security headers to every response", () => {
    const headers = one(admin, "aws_cloudfront_response_headers_policy");
    expect(dist.body.default_cache_behavior.response_headers_policy_id).toBe(
      `\${aws_cloudfront_response_headers_policy.${headers.name}.id}`,
    );
    const sec = headers.body.security_headers_config;
    const csp = Object.fromEntries(
      String(sec.content_security_policy.content_security_policy)
        .split("; ")
        .map((d) => [d.split(" ")[0], d.split(" ").slice(1)]),
    );
    expect(csp).toEqual({
      "default-src": ["'none'"],
      "script-src": ["'self'"],
      "style-src": ["'self'"],
      "style-src-attr": ["'unsafe-inline'"],
      "img-src": ["'self'", "data:"],
      "font-src": ["'self'"],
      "manifest-src": ["'self'"],
      "connect-src": [
        "'self'",
        "https://finops-000000000002.auth.us-east-1.amazoncognito.com",
        "https://*.execute-api.us-east-1.amazonaws.com",
      ],
      "form-action": ["'self'", "https://finops-000000000002.auth.us-east-1.amazoncognito.com"],
      "base-uri": ["'none'"],
      "object-src": ["'none'"],
      "frame-ancestors": ["'none'"],
      "upgrade-insecure-requests": [],
    });
    expect(sec.content_security_policy.override).toBe(true);
    expect(sec.strict_transport_security).toEqual({
      access_control_max_age_sec: 63_072_000,
      include_subdomains: true,
      override: true,
    });
    expect(sec.frame_options).toEqual({ frame_option: "DENY", override: true });
    expect(sec.content_type_options).toEqual({ override: true });
    expect(sec.referrer_policy).toEqual({ referrer_policy: "no-referrer", override: true });
  });

  it("routes client-side paths to index.html and leaves file paths to S3", () => {
    const fn = one(admin, "aws_cloudfront_function");
    expect(fn.body).toMatchObject({
      runtime: "cloudfront-js-2.0",
      publish: true,
      code: SPA_ROUTING_FUNCTION,
    });
    expect(dist.body.default_cache_behavior.function_association).toEqual([
      { event_type: "viewer-request", function_arn: `\${aws_cloudfront_function.${fn.name}.arn}` },
    ]);
    // The function's own logic, run as CloudFront would (event.request.uri in, request out).
    const handler = new Function(`${SPA_ROUTING_FUNCTION}; return handler;`)() as (e: unknown) => {
      uri: string;
    };
    const uri = (u: string) => handler({ request: { uri: u } }).uri;
    expect(uri("/")).toBe("/index.html");
    expect(uri("/budgets/123")).toBe("/index.html");
    expect(uri("/callback")).toBe("/index.html");
    expect(uri("/assets/index-Bx7f3a2c.js")).toBe("/assets/index-Bx7f3a2c.js");
    expect(uri("/config.json")).toBe("/config.json");
  });

  it("delivers access logs (standard logging v2, us-east-1) to a baseline log bucket that only that delivery may write", () => {
    const source = one(admin, "aws_cloudwatch_log_delivery_source");
    expect(source.body).toMatchObject({
      name: "finops-console-access",
      log_type: "ACCESS_LOGS",
      resource_arn: distRef("arn"),
    });
    const destination = one(admin, "aws_cloudwatch_log_delivery_destination");
    expect(destination.body.delivery_destination_configuration).toEqual([
      { destination_resource_arn: "arn:aws:s3:::finops-console-logs-000000000002" },
    ]);
    const delivery = one(admin, "aws_cloudwatch_log_delivery");
    expect(delivery.body.delivery_source_name).toBe(
      `\${aws_cloudwatch_log_delivery_source.${source.name}.name}`,
    );
    // example.yaml's admin region is us-east-1: all three use its provider.
    for (const r of [source, destination, delivery]) expect(r.body.provider).toBe("aws");
    const policy = byPath(admin, "aws_s3_bucket_policy", "console/logs-bucket/policy");
    const bySid = Object.fromEntries(
      JSON.parse(policy.body.policy).Statement.map((s: StackJson) => [s.Sid, s]),
    );
    // Statements as documented for vended logs to S3:
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html
    const sourceArn = "arn:aws:logs:us-east-1:000000000002:delivery-source:finops-console-access";
    expect(bySid.AWSLogDeliveryWrite).toEqual({
      Sid: "AWSLogDeliveryWrite",
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: "arn:aws:s3:::finops-console-logs-000000000002/*",
      Condition: {
        StringEquals: {
          "aws:SourceAccount": "000000000002",
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
        ArnLike: { "aws:SourceArn": sourceArn },
      },
    });
    expect(bySid.AWSLogDeliveryAclCheck).toMatchObject({
      Action: "s3:GetBucketAcl",
      Resource: "arn:aws:s3:::finops-console-logs-000000000002",
      Condition: {
        StringEquals: { "aws:SourceAccount": "000000000002" },
        ArnLike: { "aws:SourceArn": sourceArn },
      },
    });
    const own = ofType(admin, "aws_s3_bucket_ownership_controls").map(([, , b]) => b.rule.object_ownership);
    expect(new Set(own)).toEqual(new Set(["BucketOwnerEnforced"]));
  });

  it("uploads every file of the build with its type and caching, and never the build's own config.json", () => {
    const files = ofType(admin, "aws_s3_object")
      .map(([, , b]) => b)
      // The API's member config is the admin stack's other object (modules/app/member-config.ts).
      .filter((b) => b.key !== "config.json" && b.key !== "config/members.json");
    expect(files.map((b) => [b.key, b.content_type, b.cache_control]).sort()).toEqual([
      ["assets/index-Bx7f3a2c.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"],
      ["assets/index-D4e5f6a7.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"],
      ["index.html", "text/html; charset=utf-8", "no-cache"],
    ]);
    for (const f of files) {
      expect(f.source).toMatch(new RegExp(`^assets/console_build_[A-Z0-9_]+/[A-F0-9]+/${f.key}$`));
      expect(f.source_hash).toMatch(/^[0-9a-f]{32}$/);
    }
    const configs = ofType(admin, "aws_s3_object").filter(([, , b]) => b.key === "config.json");
    expect(configs).toHaveLength(1);
    expect(configs[0]![2].source).toBeUndefined();
  });

  it("writes the organization's config.json: API URL, user pool, client, Cognito domain, region", () => {
    const config = ofType(admin, "aws_s3_object").find(([, , b]) => b.key === "config.json")![2];
    expect(config.content_type).toBe("application/json");
    expect(config.cache_control).toBe("no-cache");
    const pool = one(admin, "aws_cognito_user_pool");
    const client = one(admin, "aws_cognito_user_pool_client");
    const stage = one(admin, "aws_apigatewayv2_stage");
    expect(JSON.parse(config.content)).toEqual({
      apiUrl: `\${aws_apigatewayv2_stage.${stage.name}.invoke_url}`,
      region: "us-east-1",
      userPoolId: `\${aws_cognito_user_pool.${pool.name}.id}`,
      clientId: `\${aws_cognito_user_pool_client.${client.name}.id}`,
      cognitoDomain: "https://finops-000000000002.auth.us-east-1.amazoncognito.com",
    });
  });

  it("signs in and out on the console's own domain, and the API allows only that origin: no localhost", () => {
    const client = one(admin, "aws_cognito_user_pool_client").body;
    expect(client.callback_urls).toEqual([`https://${distRef("domain_name")}/callback`]);
    expect(client.logout_urls).toEqual([`https://${distRef("domain_name")}/`]);
    expect(client.allowed_oauth_flows).toEqual(["code"]);
    expect(one(admin, "aws_cognito_user_pool_domain").body.domain).toBe("finops-000000000002");
    const api = one(admin, "aws_apigatewayv2_api").body;
    expect(api.cors_configuration.allow_origins).toEqual([`https://${distRef("domain_name")}`]);
    expect(JSON.stringify(admin.resource)).not.toContain("localhost");
  });

  it("requires TOTP MFA of every user, so Admins and FinancialAdmins never sign in without it", () => {
    const pool = one(admin, "aws_cognito_user_pool").body;
    expect(pool.mfa_configuration).toBe("ON");
    expect(pool.software_token_mfa_configuration).toEqual({ enabled: true });
    expect(pool.sms_configuration).toBeUndefined();
  });

  it("outputs the console's URL and distribution", () => {
    expect(admin.output.finance_console_url.value).toBe(`https://${distRef("domain_name")}/`);
    expect(admin.output.finance_console_distribution_id.value).toBe(distRef("id"));
  });
});

describe("the hosted console with a custom domain, a WAF web ACL and one more front end", () => {
  const yaml = EXAMPLE.replace(
    /\nrollout:/,
    `\napp:\n  webCallbackUrls: ["https://reports.example.com/callback"]\n  webLogoutUrls: ["https://reports.example.com/"]\n  mfa: optional\n  console:\n    domain: finops.example.com\n    certificateArn: "${CERT}"\n    webAclArn: "${WAF}"\n\nrollout:`,
  );
  const admin = synthAdmin(yaml, "example.yaml (custom domain)");

  it("serves the domain with its us-east-1 certificate at TLS 1.2 or later, behind the web ACL", () => {
    const dist = one(admin, "aws_cloudfront_distribution").body;
    expect(dist.aliases).toEqual(["finops.example.com"]);
    expect(dist.viewer_certificate).toEqual({
      acm_certificate_arn: CERT,
      ssl_support_method: "sni-only",
      minimum_protocol_version: "TLSv1.2_2021",
    });
    expect(dist.web_acl_id).toBe(WAF);
  });

  it("signs in on the custom domain first, then the configured front end; CORS allows both origins", () => {
    const client = one(admin, "aws_cognito_user_pool_client").body;
    expect(client.callback_urls).toEqual([
      "https://finops.example.com/callback",
      "https://reports.example.com/callback",
    ]);
    expect(client.logout_urls).toEqual(["https://finops.example.com/", "https://reports.example.com/"]);
    expect(one(admin, "aws_apigatewayv2_api").body.cors_configuration.allow_origins).toEqual([
      "https://finops.example.com",
      "https://reports.example.com",
    ]);
    expect(admin.output.finance_console_url.value).toBe("https://finops.example.com/");
  });

  it("keeps MFA optional when the config says so", () => {
    expect(one(admin, "aws_cognito_user_pool").body.mfa_configuration).toBe("OPTIONAL");
  });
});

describe("accounts/local.yaml (target local)", () => {
  const out = synthConfig(loadAccountConfig("accounts/local.yaml"));
  const admin = out.stacks.admin as StackJson;
  afterAll(() => rmSync(out.outdir, { recursive: true, force: true }));

  it("hosts no console (the emulator has no CloudFront; the local API front serves it)", () => {
    const types = Object.keys(admin.resource);
    expect(
      types.filter((t) => t.startsWith("aws_cloudfront") || t.startsWith("aws_cloudwatch_log_deliv")),
    ).toEqual([]);
    expect(admin.output.finance_console_url).toBeUndefined();
  });

  it("keeps localhost sign-in and optional MFA, so the demo users sign in with a password", () => {
    const client = one(admin, "aws_cognito_user_pool_client").body;
    expect(client.callback_urls).toEqual(["http://localhost:5173/callback"]);
    expect(client.logout_urls).toEqual(["http://localhost:5173/"]);
    expect(one(admin, "aws_apigatewayv2_api").body.cors_configuration.allow_origins).toEqual([
      "http://localhost:5173",
    ]);
    expect(one(admin, "aws_cognito_user_pool").body.mfa_configuration).toBe("OPTIONAL");
  });
});
