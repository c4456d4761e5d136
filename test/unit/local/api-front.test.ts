import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ROUTE_KEYS } from "../../../contracts/api";
import { type ApiFront, matchRoute, startApiFront } from "../../../local/api-front";
import { claimsAsStrings, createJwtAuthorizer } from "../../../local/jwt-authorizer";

/**
 * The local API front without the emulator: its routing, static serving and the JWT authorizer's
 * checks against a JWKS served here (the end-to-end run with the emulated pool's tokens is
 * test/integration/api.test.ts). The rules are API Gateway's ("Control access to HTTP APIs with JWT
 * authorizers": https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html).
 */
describe("routing as the HTTP API's $default stage", () => {
  it("matches every route key, with its path parameters decoded", () => {
    for (const key of ROUTE_KEYS) {
      const [method, route] = key.split(" ") as [string, string];
      const rawPath = route.replace(/\{(\w+)\}/g, (_, p) => (p === "year" ? "2026" : `x-${p}`));
      expect([key, matchRoute(method, rawPath)?.routeKey]).toEqual([key, key]);
    }
    expect(matchRoute("GET", "/budgets/retail%2Deu/2026")).toEqual({
      routeKey: "GET /budgets/{budgetId}/{year}",
      pathParameters: { budgetId: "retail-eu", year: "2026" },
    });
    expect(matchRoute("GET", "/accounts/333333333333/budget")).toBeUndefined(); // PUT/DELETE only
    expect(matchRoute("POST", "/nothing")).toBeUndefined();
  });
});

describe("claims as HTTP API passes them to the integration", () => {
  it("are strings: arrays as [a b], numbers and booleans as text", () => {
    expect(
      claimsAsStrings({ "cognito:groups": ["Admins", "BUManagers"], exp: 1796220625, email_verified: true }),
    ).toEqual({ "cognito:groups": "[Admins BUManagers]", exp: "1796220625", email_verified: "true" });
  });
});

describe("the JWT authorizer", () => {
  const ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example";
  const CLIENT = "webclient123";
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  let jwks: Server;
  let jwksUri: string;

  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const sign = (claims: Record<string, unknown>, key: KeyObject = privateKey, kid = "k1") => {
    const head = `${b64({ kid, alg: "RS256" })}.${b64(claims)}`;
    return `${head}.${createSign("RSA-SHA256").update(head).sign(key).toString("base64url")}`;
  };
  const now = () => Math.floor(Date.now() / 1000);
  const idClaims = (extra: Record<string, unknown> = {}) => ({
    iss: ISSUER,
    aud: CLIENT,
    token_use: "id",
    sub: "s-1",
    iat: now() - 10,
    exp: now() + 3600,
    "cognito:groups": ["FinancialAdmins"],
    ...extra,
  });

  beforeAll(async () => {
    const jwk = { ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" };
    jwks = createServer((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", () => r()));
    jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/pool/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => jwks.close(() => r())));

  const authorize = () => createJwtAuthorizer({ issuer: ISSUER, audience: [CLIENT], jwksUri });
  const challenge = (d: string) => `Bearer scope="" error="invalid_token" error_description="${d}"`;

  it("passes a valid token, with or without the Bearer prefix, and hands on its claims as strings", async () => {
    const token = sign(idClaims());
    for (const header of [`Bearer ${token}`, token]) {
      const r = await authorize()(header);
      expect(r).toMatchObject({ ok: true, claims: { sub: "s-1", "cognito:groups": "[FinancialAdmins]" } });
    }
  });

  it("checks client_id only when there is no aud (a Cognito access token)", async () => {
    const { aud: _aud, ...access } = idClaims({ token_use: "access", client_id: CLIENT });
    expect(await authorize()(sign(access))).toMatchObject({ ok: true });
    expect(await authorize()(sign({ ...access, client_id: "other" }))).toMatchObject({
      ok: false,
      challenge: challenge("the token does not have a valid audience"),
    });
    // With both, aud decides.
    expect(await authorize()(sign(idClaims({ aud: "other", client_id: CLIENT })))).toMatchObject({
      ok: false,
      challenge: challenge("the token does not have a valid audience"),
    });
  });

  it.each([
    ["no token", undefined, "Bearer"],
    ["an expired token", sign(idClaims({ exp: now() - 5 })), challenge("the token has expired")],
    ["a token not valid yet", sign(idClaims({ nbf: now() + 600 })), challenge("the token is not valid yet")],
    [
      "a token issued in the future",
      sign(idClaims({ iat: now() + 600 })),
      challenge("the token is not valid yet"),
    ],
    [
      "another issuer",
      sign(idClaims({ iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" })),
      challenge("the token does not have a valid issuer"),
    ],
    [
      "another key under the same kid",
      sign(idClaims(), generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey),
      challenge("the token signature is invalid"),
    ],
    ["an unknown kid", sign(idClaims(), privateKey, "k2"), challenge("the token signature is invalid")],
    ["not a JWT", "not-a-token", challenge("the token could not be decoded")],
  ])("refuses %s", async (_label, token, expected) => {
    const r = await authorize()(token === undefined ? undefined : `Bearer ${token}`);
    expect(r).toMatchObject({ ok: false, challenge: expected });
  });
});

describe("the front's own routes", () => {
  let dir: string;
  let front: ApiFront;
  const get = async (p: string, init?: RequestInit) => {
    const res = await fetch(`${front.url}${p}`, init);
    return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
  };

  const rawGet = (rawPath: string) =>
    new Promise<string>((resolve, reject) => {
      const u = new URL(front.url);
      request({ host: u.hostname, port: u.port, path: rawPath }, (res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve(body));
      })
        .on("error", reject)
        .end();
    });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "front-"));
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>console</title>");
    writeFileSync(path.join(dir, "assets", "app.js"), "console.log(1)");
    front = await startApiFront({
      port: 0,
      staticDir: dir,
      consoleConfig: { apiUrl: "/api" },
      // Nothing below is reached by these requests (no token is ever verified, no table read).
      motoEndpoint: "http://127.0.0.1:9",
      region: "us-east-1",
      accountId: "222222222222",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      userPoolId: "us-east-1_Example",
      webClientId: "c",
      tables: {
        accounts: "a",
        budgets: "b",
        allocations: "c",
        spend: "d",
        ingestionRuns: "e",
        spendCards: "f",
        budgetChanges: "g",
      },
      approvalThresholdUsd: 10_000,
      approvals: {
        start: async () => "arn",
        complete: async () => {},
      },
    });
  });
  afterAll(async () => {
    await front.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the console's files, index.html for app routes, and never a file outside it", async () => {
    expect(await get("/")).toMatchObject({ status: 200, type: "text/html; charset=utf-8" });
    expect(await get("/assets/app.js")).toEqual({
      status: 200,
      type: "text/javascript; charset=utf-8",
      body: "console.log(1)",
    });
    expect((await get("/budgets/retail")).body).toContain("<title>console</title>");
    // Sent as is (fetch would normalize the dots away): an encoded climb out of the directory.
    for (const raw of ["/..%2f..%2f..%2f..%2fetc%2fpasswd", "/../../../../etc/passwd"])
      expect(await rawGet(raw)).toContain("<title>console</title>");
    expect(await get("/config.json")).toMatchObject({ status: 200, body: '{"apiUrl":"/api"}' });
  });

  it("answers API Gateway's 404 for an unknown route and 401 without a token, before the function", async () => {
    expect(await get("/api/nothing")).toMatchObject({ status: 404, body: '{"message":"Not Found"}' });
    expect(await get("/api/budgets")).toMatchObject({ status: 401, body: '{"message":"Unauthorized"}' });
  });

  it("passes only the user sign-in actions of Cognito", async () => {
    const res = await get("/cognito-idp/", {
      method: "POST",
      headers: { "x-amz-target": "AWSCognitoIdentityProviderService.AdminCreateUser" },
      body: "{}",
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain("not AWSCognitoIdentityProviderService.AdminCreateUser");
  });
});
