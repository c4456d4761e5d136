/**
 * Sign-in and the session. Tokens live in this module's memory only (never localStorage or
 * sessionStorage): a reload signs in again (on AWS, Cognito's managed-login session makes that a
 * redirect without a form). The API takes the ID token (docs/api.md, "Tokens and identity").
 *
 * - On AWS (config.cognitoDomain): authorization code with PKCE (RFC 7636, S256) through Cognito
 *   managed login: /oauth2/authorize → /callback?code&state → POST /oauth2/token. Only the PKCE
 *   verifier and the state survive the redirect, in sessionStorage, and are removed on return.
 *   Sign-out revokes the refresh token (/oauth2/revoke) and ends the managed-login session (/logout).
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
 * - Locally (config.cognitoEndpoint): the emulated pool's own API, InitiateAuth USER_PASSWORD_AUTH
 *   (moto serves no managed login page); refresh with REFRESH_TOKEN_AUTH; sign-out GlobalSignOut.
 *   https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
 *
 * Silent refresh: a timer renews the tokens a few minutes before the ID token expires, and an API
 * answer 401 renews once and retries. When renewal fails the session ends ("expired").
 */
import { type ConsoleConfig, signInMode } from "./config";

export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
}

export interface User {
  readonly email?: string;
  readonly sub: string;
  readonly groups: readonly string[];
  /** ID token expiry, ms since epoch. */
  readonly expiresAt: number;
}

export type SessionState =
  | { readonly status: "signed-out"; readonly reason?: "expired" | "signed-out" }
  | { readonly status: "signed-in"; readonly user: User };

/** Renew this long before the ID token expires. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
export const CALLBACK_PATH = "/callback";
const PKCE_KEY = "finops.pkce";

export function decodeJwt(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1];
  if (!part) throw new Error("not a JWT");
  const b64 = part
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

export function userOf(idToken: string): User {
  const c = decodeJwt(idToken);
  const raw = c["cognito:groups"];
  const groups = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(/[\s,]+/) : [];
  return {
    sub: String(c.sub ?? ""),
    ...(typeof c.email === "string" ? { email: c.email } : {}),
    groups: groups.filter(Boolean),
    expiresAt: Number(c.exp ?? 0) * 1000,
  };
}

// PKCE ---------------------------------------------------------------------------------------------

export function base64Url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A code verifier: 32 random bytes, base64url (43 characters, within RFC 7636's 43-128). */
export function newVerifier(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** S256 challenge: base64url(SHA-256(verifier)). */
export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export function authorizeUrl(
  c: ConsoleConfig,
  o: { redirectUri: string; challenge: string; state: string },
): string {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: c.clientId,
    redirect_uri: o.redirectUri,
    scope: "openid email profile",
    code_challenge_method: "S256",
    code_challenge: o.challenge,
    state: o.state,
  });
  return `${c.cognitoDomain!.replace(/\/+$/, "")}/oauth2/authorize?${q}`;
}

export function logoutUrl(c: ConsoleConfig, logoutUri: string): string {
  const q = new URLSearchParams({ client_id: c.clientId, logout_uri: logoutUri });
  return `${c.cognitoDomain!.replace(/\/+$/, "")}/logout?${q}`;
}

// Transport ----------------------------------------------------------------------------------------

type Fetch = typeof fetch;

async function cognitoApi(
  c: ConsoleConfig,
  action: string,
  body: unknown,
  f: Fetch,
): Promise<Record<string, unknown>> {
  const res = await f(c.cognitoEndpoint!, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const type = String(out.__type ?? "")
      .split("#")
      .pop();
    const err = new Error(String(out.message ?? `sign-in service answered ${res.status}`));
    err.name = type || "CognitoError";
    throw err;
  }
  return out;
}

async function tokenEndpoint(c: ConsoleConfig, form: Record<string, string>, f: Fetch): Promise<Tokens> {
  const res = await f(`${c.cognitoDomain!.replace(/\/+$/, "")}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  const out = (await res.json().catch(() => ({}))) as Record<string, string>;
  if (!res.ok || !out.id_token || !out.access_token)
    throw new Error(`sign-in failed: ${out.error ?? `token endpoint answered ${res.status}`}`);
  return {
    idToken: out.id_token,
    accessToken: out.access_token,
    ...(out.refresh_token ? { refreshToken: out.refresh_token } : {}),
  };
}

function tokensFrom(result: Record<string, unknown>, previousRefresh?: string): Tokens {
  const r = result.AuthenticationResult as Record<string, string> | undefined;
  if (!r?.IdToken || !r.AccessToken)
    throw new Error(
      result.ChallengeName
        ? `sign-in needs ${String(result.ChallengeName)}, which this local sign-in does not handle`
        : "sign-in returned no tokens",
    );
  const refreshToken = r.RefreshToken ?? previousRefresh;
  return { idToken: r.IdToken, accessToken: r.AccessToken, ...(refreshToken ? { refreshToken } : {}) };
}

// The session --------------------------------------------------------------------------------------

/** What the session needs of the browser: the page's origin, navigation, and sessionStorage (PKCE only). */
export interface BrowserEnv {
  readonly origin: string;
  assign(url: string): void;
  readonly storage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
  };
  readonly fetch: Fetch;
}

export class Session {
  private tokens: Tokens | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<boolean> | undefined;
  private state: SessionState = { status: "signed-out" };
  private readonly listeners = new Set<(s: SessionState) => void>();

  private readonly f: Fetch;
  private readonly store: BrowserEnv["storage"];

  constructor(
    readonly config: ConsoleConfig,
    private readonly env: BrowserEnv,
  ) {
    this.f = env.fetch;
    this.store = env.storage;
  }

  get mode() {
    return signInMode(this.config);
  }
  get current(): SessionState {
    return this.state;
  }
  subscribe(fn: (s: SessionState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(state: SessionState) {
    this.state = state;
    for (const l of this.listeners) l(state);
  }

  private accept(tokens: Tokens) {
    this.tokens = tokens;
    const user = userOf(tokens.idToken);
    clearTimeout(this.timer);
    const wait = Math.max(user.expiresAt - Date.now() - REFRESH_MARGIN_MS, 1000);
    this.timer = setTimeout(() => void this.refresh(), wait);
    this.set({ status: "signed-in", user });
  }

  /** Locally: the user's email and password, through the emulated pool's InitiateAuth. */
  async signInWithPassword(username: string, password: string): Promise<void> {
    const out = await cognitoApi(
      this.config,
      "InitiateAuth",
      {
        ClientId: this.config.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: password },
      },
      this.f,
    );
    this.accept(tokensFrom(out));
  }

  /** On AWS: to Cognito managed login with a fresh PKCE verifier and state. */
  async beginHostedSignIn(): Promise<void> {
    const verifier = newVerifier();
    const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
    this.store.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
    this.env.assign(
      authorizeUrl(this.config, {
        redirectUri: `${this.env.origin}${CALLBACK_PATH}`,
        challenge: await challengeOf(verifier),
        state,
      }),
    );
  }

  /** On return from managed login (/callback?code&state): the code for tokens, with the verifier. */
  async completeHostedSignIn(search: string): Promise<void> {
    const q = new URLSearchParams(search);
    const saved = this.store.getItem(PKCE_KEY);
    this.store.removeItem(PKCE_KEY);
    if (q.get("error")) throw new Error(`sign-in refused: ${q.get("error_description") ?? q.get("error")}`);
    const code = q.get("code");
    const { verifier, state } = saved
      ? (JSON.parse(saved) as { verifier: string; state: string })
      : ({} as never);
    if (!code || !verifier || q.get("state") !== state)
      throw new Error("sign-in could not be completed (missing code or state mismatch); sign in again");
    this.accept(
      await tokenEndpoint(
        this.config,
        {
          grant_type: "authorization_code",
          client_id: this.config.clientId,
          code,
          redirect_uri: `${this.env.origin}${CALLBACK_PATH}`,
          code_verifier: verifier,
        },
        this.f,
      ),
    );
  }

  /** Renews the tokens with the refresh token; ends the session ("expired") when it cannot. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.tokens?.refreshToken;
    try {
      if (!refreshToken) throw new Error("no refresh token");
      const tokens =
        this.mode === "hosted"
          ? await tokenEndpoint(
              this.config,
              { grant_type: "refresh_token", client_id: this.config.clientId, refresh_token: refreshToken },
              this.f,
            )
          : tokensFrom(
              await cognitoApi(
                this.config,
                "InitiateAuth",
                {
                  ClientId: this.config.clientId,
                  AuthFlow: "REFRESH_TOKEN_AUTH",
                  AuthParameters: { REFRESH_TOKEN: refreshToken },
                },
                this.f,
              ),
              refreshToken,
            );
      this.accept({ ...tokens, refreshToken: tokens.refreshToken ?? refreshToken });
      return true;
    } catch {
      this.end("expired");
      return false;
    }
  }

  /** The ID token for the API, renewed first when it has expired. */
  async idToken(): Promise<string | undefined> {
    if (!this.tokens) return undefined;
    if (userOf(this.tokens.idToken).expiresAt <= Date.now() && !(await this.refresh())) return undefined;
    return this.tokens?.idToken;
  }

  /** Stops the renewal timer and forgets the listeners (the app going away, or a test ending). */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private end(reason: "expired" | "signed-out") {
    clearTimeout(this.timer);
    this.tokens = undefined;
    this.set({ status: "signed-out", reason });
  }

  /** Signs out: the refresh token revoked and, on AWS, the managed-login session ended. */
  async signOut(): Promise<void> {
    const t = this.tokens;
    this.end("signed-out");
    if (!t) return;
    try {
      if (this.mode === "hosted") {
        if (t.refreshToken)
          await this.f(`${this.config.cognitoDomain!.replace(/\/+$/, "")}/oauth2/revoke`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ token: t.refreshToken, client_id: this.config.clientId }).toString(),
          });
        this.env.assign(logoutUrl(this.config, `${this.env.origin}/`));
      } else {
        await cognitoApi(this.config, "GlobalSignOut", { AccessToken: t.accessToken }, this.f);
      }
    } catch {
      // Signed out here regardless; the tokens are gone from memory.
    }
  }
}
