/**
 * The local API front: what API Gateway's HTTP API does for the FinOps API in AWS, on loopback, in
 * front of the real API function (functions/api/app.ts `apiHandler`, the code handler.ts exports
 * to Lambda) running in this process against the emulator.
 *
 * - `/api/<path>`: routed as the HTTP API's `$default` stage routes `/<path>` (the routes of
 *   contracts/api.ts, modules/app/http-api.ts: "METHOD /path/{param}"), through the JWT authorizer
 *   (local/jwt-authorizer.ts: the Cognito token verified against the emulated pool's published keys,
 *   issuer, audience = the web client, expiry), then the function gets the payload format 2.0 event
 *   and its answer goes back as API Gateway maps it. An unknown route answers 404
 *   `{"message":"Not Found"}` before any authorization; a refused token 401 `{"message":"Unauthorized"}`
 *   with `www-authenticate`; a function that throws 500 `{"message":"Internal Server Error"}`.
 *   ("Working with AWS Lambda proxy integrations for HTTP APIs", payload format 2.0:
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html)
 * - `POST /cognito-idp/`: the emulated user pool's sign-in API (InitiateAuth, RespondToAuthChallenge,
 *   GetTokensFromRefreshToken, RevokeToken, GlobalSignOut, GetUser), passed through to the emulator,
 *   so a browser page served here signs in on its own origin (moto sends no CORS headers). On AWS the
 *   console calls cognito-idp.<region>.amazonaws.com itself.
 * - `GET /config.json`: `consoleConfig` when given (the runtime configuration Terraform writes next to
 *   the console on AWS).
 * - Any other GET: a file of `staticDir`, or its index.html (single-page app routing), with the hosted
 *   console's security headers (contracts/console-headers.ts: CSP, HSTS, frame and referrer policy),
 *   this front's origin standing for the API host and for Cognito's (or `consoleConfig.cognitoDomain`'s
 *   origin when the console signs in through the managed login stand-in).
 *
 * Budget changes above the threshold start the approval state machine executed locally
 * (local/approval-workflow.ts) unless another `approvals` is given.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import {
  CognitoIdentityProviderClient,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { DescribeStateMachineCommand, ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { Names } from "../config/naming";
import type { AccountConfig } from "../config/schema";
import { ROUTE_KEYS } from "../contracts/api";
import { consoleSecurityHeaders } from "../contracts/console-headers";
import { CONTENT_TYPES } from "../contracts/content-types";
import { MEMBER_CONFIG_KEY } from "../contracts/member-config";
import { type AccountClientConfig, clientConfigForAccount } from "../emulator/aws-clients";
import { CognitoDirectory } from "../functions/api/adapters";
import { apiHandler } from "../functions/api/app";
import { DynamoRepository } from "../functions/api/dynamo-repository";
import { S3MemberConfig } from "../functions/api/member-config-source";
import type { ApprovalWorkflow } from "../functions/api/repository";
import { approvalsHandler } from "../functions/approvals/app";
import { DynamoApprovalStore } from "../functions/approvals/dynamo-store";
import { documentClient, type TableNames } from "../functions/shared/app-tables-env";
import { LocalApprovalWorkflow } from "./approval-workflow";
import { createJwtAuthorizer } from "./jwt-authorizer";

export interface ApiFrontOptions {
  /** TCP port on 127.0.0.1; 0 = any free port. @default 0 */
  readonly port?: number;
  /** Built single-page app served at "/" (index.html for paths that are not files). @default none */
  readonly staticDir?: string;
  /** Served as GET /config.json when given (the console's runtime configuration). */
  readonly consoleConfig?: Readonly<Record<string, unknown>>;
  /** The emulator (moto): the JWKS is read here, the function's SDK calls go here. */
  readonly motoEndpoint: string;
  /** Region of the user pool and the application (the admin's home region). */
  readonly region: string;
  /** The account the API runs in (the admin account). */
  readonly accountId: string;
  /** Credentials of that account in the emulator (the API function's role's, on AWS). */
  readonly credentials: AccountClientConfig["credentials"];
  readonly userPoolId: string;
  /** The web app client: the authorizer's audience. */
  readonly webClientId: string;
  /** The application's tables (the API function's *_TABLE variables). */
  readonly tables: TableNames;
  /** app.approvalThresholdUsd (APPROVAL_THRESHOLD_USD). */
  readonly approvalThresholdUsd: number;
  /**
   * The member config object in the emulated admin account (MEMBER_CONFIG_BUCKET/KEY), read as the
   * API function reads it (functions/api/member-config-source.ts). @default none: no member budgets or environments
   */
  readonly memberConfig?: { readonly bucket: string; readonly key: string };
  /** How budget changes are approved. Closed with the front when it has close(). */
  readonly approvals: ApprovalWorkflow & { close?(): Promise<void> };
  /** Where JWKS is read. @default <motoEndpoint>/<userPoolId>/.well-known/jwks.json (moto's path) */
  readonly jwksUri?: string;
  readonly log?: (line: string) => void;
}

export interface ApiFront {
  /** Base URL, e.g. http://127.0.0.1:4620 (the API is under /api). */
  readonly url: string;
  close(): Promise<void>;
}

/** The Cognito user-API actions a browser may call through the front (no admin actions). */
const COGNITO_ACTIONS = new Set(
  [
    "InitiateAuth",
    "RespondToAuthChallenge",
    "GetTokensFromRefreshToken",
    "RevokeToken",
    "GlobalSignOut",
    "GetUser",
  ].map((a) => `AWSCognitoIdentityProviderService.${a}`),
);

/** A route key's matcher: literal segments must match, `{name}` takes one segment. */
interface RouteMatcher {
  readonly routeKey: string;
  readonly method: string;
  readonly segments: readonly string[];
  readonly literals: number;
}
const MATCHERS: readonly RouteMatcher[] = ROUTE_KEYS.map((routeKey) => {
  const [method, route] = routeKey.split(" ") as [string, string];
  const segments = route.split("/").filter(Boolean);
  return { routeKey, method, segments, literals: segments.filter((s) => !s.startsWith("{")).length };
})
  // API Gateway prefers the most specific route: more literal segments first.
  .sort((a, b) => b.literals - a.literals);

export function matchRoute(
  method: string,
  rawPath: string,
): { routeKey: string; pathParameters: Record<string, string> } | undefined {
  const parts = rawPath.split("/").filter(Boolean);
  for (const m of MATCHERS) {
    if (m.method !== method || m.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    m.segments.forEach((s, i) => {
      const part = parts[i]!;
      if (s.startsWith("{")) params[s.slice(1, -1)] = safeDecode(part);
      else if (s !== part) ok = false;
    });
    if (ok) return { routeKey: m.routeKey, pathParameters: params };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}
const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  send(res, status, JSON.stringify(body), { "content-type": "application/json", ...headers });

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Header values as payload 2.0 gives them: lowercase names, repeated headers joined by commas. */
function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k === "cookie") continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;
  }
  return out;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+json)/i;

/** Starts the front on 127.0.0.1. */
export async function startApiFront(options: ApiFrontOptions): Promise<ApiFront> {
  const log = options.log ?? (() => {});
  const aws: AccountClientConfig = {
    endpoint: options.motoEndpoint,
    region: options.region,
    credentials: options.credentials,
    forcePathStyle: true,
    maxAttempts: 2,
  };
  const ddb = new DynamoDBClient(aws);
  const cognito = new CognitoIdentityProviderClient(aws);
  const s3 = new S3Client(aws);
  const handler = apiHandler({
    repo: new DynamoRepository(documentClient(ddb), options.tables),
    users: new CognitoDirectory(cognito, options.userPoolId),
    approvals: options.approvals,
    approvalThresholdUsd: options.approvalThresholdUsd,
    ...(options.memberConfig ? { memberConfig: new S3MemberConfig(s3, options.memberConfig) } : {}),
    now: () => new Date(),
    newId: () => randomUUID(),
  });
  const authorize = createJwtAuthorizer({
    issuer: `https://cognito-idp.${options.region}.amazonaws.com/${options.userPoolId}`,
    audience: [options.webClientId],
    jwksUri: options.jwksUri ?? `${options.motoEndpoint}/${options.userPoolId}/.well-known/jwks.json`,
  });
  const staticDir = options.staticDir ? path.resolve(options.staticDir) : undefined;

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const rawPath = url.pathname.slice("/api".length) || "/";
    const matched = matchRoute(method, rawPath);
    const requestId = randomUUID();
    const common = { "apigw-requestid": requestId };
    if (!matched) return sendJson(res, 404, { message: "Not Found" }, common);
    const auth = await authorize(req.headers.authorization);
    if (!auth.ok) {
      log(`api        ${method} ${rawPath} → 401 (${auth.reason})`);
      return sendJson(
        res,
        401,
        { message: "Unauthorized" },
        { ...common, "www-authenticate": auth.challenge },
      );
    }
    const bodyBytes = await readBody(req);
    const contentType = req.headers["content-type"] ?? "";
    const isText = bodyBytes.length === 0 || TEXT_TYPES.test(contentType);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const now = new Date();
    const cookies = req.headers.cookie?.split(/;\s*/).filter(Boolean);
    const event = {
      version: "2.0",
      routeKey: matched.routeKey,
      rawPath,
      rawQueryString: url.search.slice(1),
      ...(cookies?.length ? { cookies } : {}),
      headers: headersOf(req),
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      ...(Object.keys(matched.pathParameters).length ? { pathParameters: matched.pathParameters } : {}),
      requestContext: {
        accountId: options.accountId,
        apiId: "local",
        authorizer: { jwt: { claims: auth.claims, scopes: auth.scopes } },
        domainName: url.host,
        domainPrefix: url.hostname.split(".")[0] ?? url.hostname,
        http: {
          method,
          path: rawPath,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
          userAgent: req.headers["user-agent"] ?? "",
        },
        requestId,
        routeKey: matched.routeKey,
        stage: "$default",
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      ...(bodyBytes.length
        ? {
            body: isText ? bodyBytes.toString("utf8") : bodyBytes.toString("base64"),
            isBase64Encoded: !isText,
          }
        : { isBase64Encoded: false }),
    } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
    let result: APIGatewayProxyStructuredResultV2;
    try {
      result = (await handler(event)) as APIGatewayProxyStructuredResultV2;
    } catch (e) {
      log(`api        ${matched.routeKey} → 500 (the function threw: ${(e as Error).message})`);
      return sendJson(res, 500, { message: "Internal Server Error" }, common);
    }
    const status = result.statusCode ?? 200;
    const body = result.body ?? "";
    const headers: Record<string, string> = { ...common };
    for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
    log(`api        ${matched.routeKey} → ${status}`);
    res.writeHead(status, {
      ...headers,
      ...(result.cookies?.length ? { "set-cookie": result.cookies } : {}),
    });
    res.end(result.isBase64Encoded ? Buffer.from(body, "base64") : body);
  }

  async function cognitoIdp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers["x-amz-target"] ?? "");
    if (!COGNITO_ACTIONS.has(target))
      return sendJson(res, 400, {
        __type: "InvalidAction",
        message: `the local front passes only the Cognito user sign-in actions (${[...COGNITO_ACTIONS].map((a) => a.split(".")[1]).join(", ")}), not ${target || "a request without X-Amz-Target"}`,
      });
    const body = await readBody(req);
    const upstream = await fetch(`${options.motoEndpoint}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": target,
        // moto picks the service from the host when a request is unsigned, as the sign-in calls are.
        host: `cognito-idp.${options.region}.amazonaws.com`,
      },
      body,
    });
    const text = await upstream.text();
    send(res, upstream.status, text, { "content-type": "application/x-amz-json-1.1" });
  }

  const cognitoDomain = options.consoleConfig?.cognitoDomain;
  const cognitoOrigin = typeof cognitoDomain === "string" ? new URL(cognitoDomain).origin : undefined;

  function serveStatic(res: ServerResponse, url: URL) {
    if (!staticDir)
      return sendJson(res, 404, {
        message: `no console here: this front serves the API under /api (no staticDir given)`,
      });
    const rel = path.normalize(safeDecode(url.pathname)).replace(/^([/\\])+/, "");
    let file = path.join(staticDir, rel);
    if (file !== staticDir && !file.startsWith(staticDir + path.sep))
      return sendJson(res, 404, { message: "Not Found" });
    if (!existsSync(file) || !statSync(file).isFile()) file = path.join(staticDir, "index.html");
    if (!existsSync(file)) return sendJson(res, 404, { message: `no index.html in ${staticDir}` });
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
    const html = type.startsWith("text/html");
    send(res, 200, readFileSync(file), {
      "content-type": type,
      "cache-control": html ? "no-cache" : "public, max-age=3600",
      // The hosted console's headers (CloudFront's response headers policy), with this front's own
      // origin for the API host, and for Cognito's unless the console signs in through a managed
      // login stand-in (consoleConfig.cognitoDomain, local/api-front-managed-login.ts).
      ...consoleSecurityHeaders({ cognitoOrigin: cognitoOrigin ?? url.origin, apiSource: url.origin }),
    });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const method = (req.method ?? "GET").toUpperCase();
    const run = async () => {
      if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return api(req, res, url);
      if (url.pathname === "/cognito-idp/" || url.pathname === "/cognito-idp") {
        if (method !== "POST") return sendJson(res, 405, { message: "POST only" });
        return cognitoIdp(req, res);
      }
      if (method !== "GET" && method !== "HEAD") return sendJson(res, 405, { message: "Method Not Allowed" });
      if (url.pathname === "/config.json" && options.consoleConfig)
        return sendJson(res, 200, options.consoleConfig, { "cache-control": "no-cache" });
      return serveStatic(res, url);
    };
    run().catch((e) => {
      log(`front      ${method} ${url.pathname} failed: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) sendJson(res, 500, { message: "Internal Server Error" });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await options.approvals.close?.();
      ddb.destroy();
      cognito.destroy();
      s3.destroy();
    },
  };
}

/** What the front needs, read from the landing deployed in the emulator (the admin stack applied). */
export async function apiFrontOptionsFromEmulator(
  config: AccountConfig,
  motoEndpoint: string,
  extra: Pick<ApiFrontOptions, "port" | "staticDir" | "log"> = {},
): Promise<ApiFrontOptions & { approvals: LocalApprovalWorkflow }> {
  const names = new Names(config);
  const region = config.organization.homeRegion;
  const accountId = config.admin.id;
  const aws = await clientConfigForAccount(motoEndpoint, accountId, region);
  const cognito = new CognitoIdentityProviderClient(aws);
  const sfn = new SFNClient(aws);
  try {
    const pools = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    const pool = pools.UserPools?.find((p) => p.Name === names.userPool);
    if (!pool?.Id)
      throw new Error(
        `no user pool ${names.userPool} in the admin account ${accountId} at ${motoEndpoint}; bring the landing up first (npm run local)`,
      );
    const clients = await cognito.send(
      new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 60 }),
    );
    const client = clients.UserPoolClients?.find((c) => c.ClientName === names.webClient);
    if (!client?.ClientId) throw new Error(`no app client ${names.webClient} in user pool ${pool.Id}`);
    const machines = await sfn.send(new ListStateMachinesCommand({}));
    const machine = machines.stateMachines?.find((m) => m.name === names.approvalStateMachine);
    if (!machine?.stateMachineArn)
      throw new Error(`no state machine ${names.approvalStateMachine} in the admin account ${accountId}`);
    const described = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: machine.stateMachineArn }),
    );
    const definition = JSON.parse(described.definition ?? "{}") as Record<string, unknown>;
    const tables: TableNames = {
      accounts: names.dataTable("accounts"),
      budgets: names.dataTable("budgets"),
      allocations: names.dataTable("allocations"),
      spend: names.dataTable("spend"),
      ingestionRuns: names.dataTable("ingestion-runs"),
      spendCards: names.dataTable("spend-cards"),
      budgetChanges: names.dataTable("budget-changes"),
    };
    const store = new DynamoApprovalStore(documentClient(new DynamoDBClient(aws)), tables);
    const approvalsFn = approvalsFunctionArn(definition);
    const approvals = new LocalApprovalWorkflow({
      definition,
      stateMachineArn: machine.stateMachineArn,
      functions: { [approvalsFn]: approvalsHandler(store) },
      log: extra.log,
    });
    return {
      ...extra,
      motoEndpoint,
      region,
      accountId,
      credentials: aws.credentials,
      userPoolId: pool.Id,
      webClientId: client.ClientId,
      tables,
      approvalThresholdUsd: config.app.approvalThresholdUsd,
      // The object the admin stack wrote (modules/app/member-config.ts), as the API function finds it.
      memberConfig: { bucket: names.appConfigBucket, key: MEMBER_CONFIG_KEY },
      approvals,
      consoleConfig: {
        apiUrl: "/api",
        region,
        userPoolId: pool.Id,
        clientId: client.ClientId,
        // Sign-in goes through the front to the emulated pool (no hosted login page locally).
        cognitoEndpoint: "/cognito-idp/",
        target: "local",
      },
    };
  } finally {
    cognito.destroy();
    sfn.destroy();
  }
}

/** The function ARN the definition's Lambda tasks invoke (one function: the approvals function). */
function approvalsFunctionArn(definition: Record<string, unknown>): string {
  const arns = new Set<string>();
  for (const s of Object.values((definition.States ?? {}) as Record<string, Record<string, unknown>>)) {
    const fn = (s.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName;
    if (typeof fn === "string") arns.add(fn);
  }
  if (arns.size !== 1)
    throw new Error(
      `the approval state machine should invoke exactly one function (the approvals function); it invokes ${[...arns].join(", ") || "none"}`,
    );
  return [...arns][0]!;
}
