/**
 * A STAND-IN for Cognito managed login, for local runs and browser tests only: moto serves no
 * hosted login pages, so this small server plays the user pool domain's OAuth 2.0 endpoints on
 * loopback, on an origin of its own (as `https://<domain>.auth.<region>.amazoncognito.com` is not
 * the console's), and the console runs in its managed-login mode against it: authorization code
 * with PKCE, silent refresh at the token endpoint, sign-out at the logout endpoint. It is not
 * Cognito: it implements what the console uses of these endpoints, as AWS documents them, and
 * signs nobody in itself: the user's email and password are checked by the emulated pool
 * (InitiateAuth USER_PASSWORD_AUTH, local/sign-in.ts says why that flow), whose tokens it hands out.
 *
 * - `GET /oauth2/authorize` (https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html):
 *   `response_type=code`, the app client's `client_id`, a `redirect_uri` among the client's callback
 *   URLs, `code_challenge_method=S256` with a `code_challenge`, `state` passed back. An unknown client
 *   or callback URL is an error page (never a redirect to it); other errors go back to the callback
 *   as `error=…&state=…` (RFC 6749 §4.1.2.1). With a live session cookie the code is issued at once
 *   (no form); otherwise it redirects to `/login` with the same parameters, as Cognito does.
 * - `GET|POST /login` (https://docs.aws.amazon.com/cognito/latest/developerguide/login-endpoint.html):
 *   the sign-in form; a good email and password set the session cookie `cognito` (HttpOnly, an hour,
 *   like managed login's, https://repost.aws/knowledge-center/cognito-logout-endpoint-globalsignoutapi)
 *   and redirect to the callback with a one-time code valid 5 minutes.
 * - `POST /oauth2/token` (https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html):
 *   `grant_type=authorization_code` checks the code (once, unexpired), `client_id`, the same
 *   `redirect_uri`, and `code_verifier` against the challenge (RFC 7636 §4.6: BASE64URL(SHA256(verifier)));
 *   returns `id_token`, `access_token`, `refresh_token`, `expires_in`, `token_type`.
 *   `grant_type=refresh_token` returns new ID and access tokens (the emulated pool's
 *   REFRESH_TOKEN_AUTH). Errors are 400 `{"error":"invalid_grant"|"invalid_request"|…}`. Answers carry
 *   `Access-Control-Allow-Origin: *`, as the documentation says the token endpoint does.
 * - `POST /oauth2/revoke` (https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html):
 *   the refresh token can no longer be used here; the emulated pool ends the user's tokens
 *   (GlobalSignOut, the nearest it has: moto has no RevokeToken).
 * - `GET /logout` (https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html):
 *   `client_id` and a `logout_uri` among the client's sign-out URLs; clears the session cookie and
 *   redirects there.
 *
 * The app client and its callback and sign-out URLs are read from the emulated pool
 * (DescribeUserPoolClient); `consoleOrigin` adds `<origin>/callback` and `<origin>/`, as the admin
 * stack adds the hosted console's (config/console.ts webClientUrls).
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";

export interface ManagedLoginStandInOptions {
  readonly motoEndpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly userPoolId: string;
  /** The web app client (public, no secret). */
  readonly clientId: string;
  /** The console's origin: `<origin>/callback` and `<origin>/` are allowed besides the client's own URLs. */
  readonly consoleOrigin?: string;
  readonly log?: (line: string) => void;
}

/** What the stand-in did, for tests: each token grant with its outcome. */
export interface StandInEvent {
  readonly endpoint: "authorize" | "login" | "token" | "revoke" | "logout";
  readonly outcome: string;
  readonly grantType?: string;
}

export interface ManagedLoginStandIn {
  /** Its origin: the console's `cognitoDomain`. */
  readonly url: string;
  readonly events: readonly StandInEvent[];
  /** Allows `<origin>/callback` and `<origin>/` (a console started after the stand-in). */
  allowConsoleOrigin(origin: string): void;
  close(): Promise<void>;
}

/** Managed login's session cookie name and lifetime (an hour). */
export const SESSION_COOKIE = "cognito";
const SESSION_SECONDS = 3600;
/** Authorization codes are valid 5 minutes (token endpoint documentation). */
const CODE_MS = 5 * 60 * 1000;

interface Grant {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly grant: Grant;
  readonly expiresAt: number;
}

const base64Url = (b: Buffer) => b.toString("base64url");
const token = () => base64Url(randomBytes(32));

/** RFC 7636 §4.6: S256 code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). */
export function s256(verifier: string): string {
  return base64Url(createHash("sha256").update(verifier, "ascii").digest());
}

/** RFC 7636 §4.1: 43-128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** A S256 challenge is a base64url SHA-256: 43 characters. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function startManagedLoginStandIn(o: ManagedLoginStandInOptions): Promise<ManagedLoginStandIn> {
  const log = o.log ?? (() => {});
  const cognito = new CognitoIdentityProviderClient({
    endpoint: o.motoEndpoint,
    region: o.region,
    credentials: o.credentials,
    maxAttempts: 2,
  });
  const client = (
    await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: o.userPoolId, ClientId: o.clientId }))
  ).UserPoolClient;
  if (!client) throw new Error(`managed login stand-in: no app client ${o.clientId} in ${o.userPoolId}`);
  const callbackUrls = new Set([
    ...(client.CallbackURLs ?? []),
    ...(o.consoleOrigin ? [`${o.consoleOrigin}/callback`] : []),
  ]);
  const logoutUrls = new Set([
    ...(client.LogoutURLs ?? []),
    ...(o.consoleOrigin ? [`${o.consoleOrigin}/`] : []),
  ]);
  const codeFlow = (client.AllowedOAuthFlows ?? ["code"]).includes("code");

  const events: StandInEvent[] = [];
  const codes = new Map<string, PendingCode>();
  /** Session id → the signed-in user's refresh token (new codes are issued from it) and expiry. */
  const sessions = new Map<string, { refreshToken: string; expiresAt: number }>();
  /** Refresh tokens handed out here → the access token issued with them (for GlobalSignOut on revoke). */
  const refreshTokens = new Map<string, { accessToken: string; revoked: boolean }>();

  const note = (e: StandInEvent) => {
    events.push(e);
    log(`managed login stand-in ${e.endpoint}${e.grantType ? ` ${e.grantType}` : ""}: ${e.outcome}`);
  };

  const passwordGrant = async (username: string, password: string): Promise<Grant> => {
    const out = await cognito.send(
      new InitiateAuthCommand({
        ClientId: o.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const r = out.AuthenticationResult;
    if (!r?.IdToken || !r.AccessToken || !r.RefreshToken)
      throw new Error(
        out.ChallengeName ? `the pool asks for ${out.ChallengeName}` : "the pool returned no tokens",
      );
    refreshTokens.set(r.RefreshToken, { accessToken: r.AccessToken, revoked: false });
    return {
      idToken: r.IdToken,
      accessToken: r.AccessToken,
      refreshToken: r.RefreshToken,
      expiresIn: r.ExpiresIn ?? 3600,
    };
  };

  const refreshGrant = async (refreshToken: string): Promise<Omit<Grant, "refreshToken">> => {
    const out = await cognito.send(
      new InitiateAuthCommand({
        ClientId: o.clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    );
    const r = out.AuthenticationResult;
    if (!r?.IdToken || !r.AccessToken) throw new Error("the pool returned no tokens");
    const known = refreshTokens.get(refreshToken);
    if (known) known.accessToken = r.AccessToken;
    return { idToken: r.IdToken, accessToken: r.AccessToken, expiresIn: r.ExpiresIn ?? 3600 };
  };

  const html = (res: ServerResponse, status: number, title: string, body: string, headers = {}) => {
    const text = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1><p>Cognito managed login stand-in (local runs only).</p>${body}</main></body></html>`;
    res.writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-length": String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  };
  const redirect = (
    res: ServerResponse,
    location: string,
    headers: Record<string, string | string[]> = {},
  ) => {
    res.writeHead(302, { location, "cache-control": "no-store", ...headers });
    res.end();
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "cache-control": "no-store",
      // As the token endpoint answers: callable cross-origin from a browser app (public client, PKCE).
      "access-control-allow-origin": "*",
      "content-length": String(Buffer.byteLength(text)),
    });
    res.end(text);
  };

  /** The authorize parameters, checked; an error page or an error redirect when they are not right. */
  const authorizeRequest = (q: URLSearchParams, res: ServerResponse, endpoint: "authorize" | "login") => {
    const clientId = q.get("client_id") ?? "";
    const redirectUri = q.get("redirect_uri") ?? "";
    const state = q.get("state");
    if (clientId !== o.clientId) {
      note({ endpoint, outcome: `refused: unknown client_id ${clientId}` });
      html(res, 400, "Sign-in error", `<p role="alert">client_id: not an app client of this user pool</p>`);
      return undefined;
    }
    if (!callbackUrls.has(redirectUri)) {
      note({ endpoint, outcome: `refused: redirect_uri ${redirectUri} is not a callback URL of the client` });
      html(
        res,
        400,
        "Sign-in error",
        `<p role="alert">redirect_mismatch: redirect_uri is not a callback URL of the app client</p>`,
      );
      return undefined;
    }
    const fail = (error: string, description: string) => {
      note({ endpoint, outcome: `refused: ${error} (${description})` });
      const back = new URL(redirectUri);
      back.searchParams.set("error", error);
      back.searchParams.set("error_description", description);
      if (state !== null) back.searchParams.set("state", state);
      redirect(res, back.toString());
      return undefined;
    };
    if (q.get("response_type") !== "code")
      return fail("unsupported_response_type", "response_type must be code");
    if (!codeFlow) return fail("unauthorized_client", "the app client does not allow the code flow");
    if (q.get("code_challenge_method") !== "S256")
      return fail("invalid_request", "code_challenge_method must be S256 (PKCE)");
    const challenge = q.get("code_challenge") ?? "";
    if (!CHALLENGE.test(challenge))
      return fail("invalid_request", "code_challenge must be a base64url SHA-256 (43 characters)");
    return { clientId, redirectUri, state, challenge };
  };

  const issueCode = (
    res: ServerResponse,
    req: { clientId: string; redirectUri: string; state: string | null; challenge: string },
    grant: Grant,
    headers: Record<string, string | string[]> = {},
  ) => {
    const code = token();
    codes.set(code, {
      clientId: req.clientId,
      redirectUri: req.redirectUri,
      challenge: req.challenge,
      grant,
      expiresAt: Date.now() + CODE_MS,
    });
    const back = new URL(req.redirectUri);
    back.searchParams.set("code", code);
    if (req.state !== null) back.searchParams.set("state", req.state);
    redirect(res, back.toString(), headers);
  };

  const liveSession = (req: IncomingMessage) => {
    const id = cookieOf(req, SESSION_COOKIE);
    const s = id ? sessions.get(id) : undefined;
    return s && s.expiresAt > Date.now() ? s : undefined;
  };

  const loginForm = (res: ServerResponse, q: URLSearchParams, email = "", error = "") =>
    html(
      res,
      200,
      "Sign in",
      `<form method="post" action="/login?${escapeHtml(q.toString())}">` +
        (error ? `<p role="alert">${escapeHtml(error)}</p>` : "") +
        `<label for="username">Email</label> <input id="username" name="username" type="email" autocomplete="username" required value="${escapeHtml(email)}"> ` +
        `<label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required> ` +
        `<button type="submit">Sign in</button></form>`,
    );

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL) {
    const method = (req.method ?? "GET").toUpperCase();
    if (url.pathname === "/oauth2/authorize" && method === "GET") {
      const a = authorizeRequest(url.searchParams, res, "authorize");
      if (!a) return;
      const session = liveSession(req);
      if (session) {
        try {
          const renewed = await refreshGrant(session.refreshToken);
          note({ endpoint: "authorize", outcome: "code issued from the session cookie" });
          return issueCode(res, a, { ...renewed, refreshToken: session.refreshToken });
        } catch {
          // The session's tokens were ended at the pool: sign in again.
        }
      }
      note({ endpoint: "authorize", outcome: "to /login" });
      return redirect(res, `/login?${url.searchParams}`);
    }
    if (url.pathname === "/login" && method === "GET") {
      if (!authorizeRequest(url.searchParams, res, "login")) return;
      return loginForm(res, url.searchParams);
    }
    if (url.pathname === "/login" && method === "POST") {
      const a = authorizeRequest(url.searchParams, res, "login");
      if (!a) return;
      const form = await formOf(req);
      const username = (form.get("username") ?? "").trim();
      let grant: Grant;
      try {
        grant = await passwordGrant(username, form.get("password") ?? "");
      } catch (e) {
        note({ endpoint: "login", outcome: `refused: ${(e as Error).message}` });
        return loginForm(res, url.searchParams, username, "Incorrect username or password.");
      }
      const id = token();
      sessions.set(id, { refreshToken: grant.refreshToken, expiresAt: Date.now() + SESSION_SECONDS * 1000 });
      note({ endpoint: "login", outcome: "signed in; session cookie set" });
      return issueCode(res, a, grant, {
        "set-cookie": `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_SECONDS}`,
      });
    }
    if (url.pathname === "/oauth2/token" && method === "OPTIONS") {
      res.writeHead(204, {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "POST",
        "access-control-allow-headers": "content-type, authorization",
      });
      return res.end();
    }
    if (url.pathname === "/oauth2/token" && method === "POST") {
      const form = await formOf(req);
      const grantType = form.get("grant_type") ?? "";
      const refuse = (error: string, why: string) => {
        note({ endpoint: "token", grantType, outcome: `refused: ${error} (${why})` });
        return json(res, 400, { error });
      };
      if (form.get("client_id") !== o.clientId) return refuse("invalid_client", "client_id");
      if (grantType === "authorization_code") {
        const code = form.get("code") ?? "";
        const pending = codes.get(code);
        codes.delete(code); // a code is used once, whatever the outcome
        if (!pending || pending.expiresAt < Date.now())
          return refuse("invalid_grant", "unknown, used or expired code");
        if (pending.clientId !== form.get("client_id"))
          return refuse("invalid_grant", "code of another client");
        if (pending.redirectUri !== form.get("redirect_uri"))
          return refuse("invalid_grant", "redirect_uri differs from the authorize request's");
        const verifier = form.get("code_verifier") ?? "";
        if (!VERIFIER.test(verifier))
          return refuse("invalid_request", "code_verifier is not an RFC 7636 verifier");
        if (s256(verifier) !== pending.challenge)
          return refuse("invalid_grant", "code_verifier does not match the code_challenge");
        note({ endpoint: "token", grantType, outcome: "tokens issued" });
        return json(res, 200, {
          id_token: pending.grant.idToken,
          access_token: pending.grant.accessToken,
          refresh_token: pending.grant.refreshToken,
          expires_in: pending.grant.expiresIn,
          token_type: "Bearer",
        });
      }
      if (grantType === "refresh_token") {
        const refreshToken = form.get("refresh_token") ?? "";
        const known = refreshTokens.get(refreshToken);
        if (!known || known.revoked) return refuse("invalid_grant", "unknown or revoked refresh token");
        try {
          const t = await refreshGrant(refreshToken);
          note({ endpoint: "token", grantType, outcome: "tokens renewed" });
          return json(res, 200, {
            id_token: t.idToken,
            access_token: t.accessToken,
            expires_in: t.expiresIn,
            token_type: "Bearer",
          });
        } catch (e) {
          return refuse("invalid_grant", `the pool refused the refresh token: ${(e as Error).message}`);
        }
      }
      return refuse("unsupported_grant_type", grantType || "no grant_type");
    }
    if (url.pathname === "/oauth2/revoke" && method === "POST") {
      const form = await formOf(req);
      if (form.get("client_id") !== o.clientId) {
        note({ endpoint: "revoke", outcome: "refused: client_id" });
        return json(res, 400, { error: "invalid_client" });
      }
      const known = refreshTokens.get(form.get("token") ?? "");
      if (known && !known.revoked) {
        known.revoked = true;
        await cognito.send(new GlobalSignOutCommand({ AccessToken: known.accessToken })).catch(() => {});
      }
      note({
        endpoint: "revoke",
        outcome: known ? "refresh token revoked" : "unknown token (nothing to do)",
      });
      return json(res, 200, {});
    }
    if (url.pathname === "/logout" && method === "GET") {
      const logoutUri = url.searchParams.get("logout_uri") ?? "";
      if (url.searchParams.get("client_id") !== o.clientId || !logoutUrls.has(logoutUri)) {
        note({ endpoint: "logout", outcome: "refused: client_id or logout_uri" });
        return html(
          res,
          400,
          "Sign-out error",
          `<p role="alert">logout_uri: not a sign-out URL of the app client</p>`,
        );
      }
      const id = cookieOf(req, SESSION_COOKIE);
      if (id) sessions.delete(id);
      note({ endpoint: "logout", outcome: "session ended; cookie cleared" });
      return redirect(res, logoutUri, {
        "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
      });
    }
    return html(
      res,
      404,
      "Not found",
      "<p>This stand-in serves /oauth2/authorize, /login, /oauth2/token, /oauth2/revoke and /logout.</p>",
    );
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    handle(req, res, url).catch((e) => {
      log(`managed login stand-in ${req.method} ${url.pathname} failed: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) json(res, 500, { error: "server_error" });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    // "localhost", not the console's 127.0.0.1: another site, so its session cookie is its own
    // (cookies are not separated by port), as a Cognito domain's is.
    url: `http://localhost:${port}`,
    events,
    allowConsoleOrigin(origin: string) {
      callbackUrls.add(`${origin}/callback`);
      logoutUrls.add(`${origin}/`);
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      cognito.destroy();
    },
  };
}
