/**
 * The console's sign-in (console/src/auth.ts) against Cognito's documented endpoints. Cognito
 * managed login cannot run here (the emulator has no hosted UI), so `fetch` and navigation are
 * replaced by recorders: the tests check what the console sends, as AWS documents it, and what it
 * does with the answers. The local flow (the emulated pool's API) runs for real in
 * test/integration/console.test.ts.
 */
import { authorizeUrl, challengeOf, decodeJwt, logoutUrl, Session, userOf } from "../../../console/src/auth";
import { type ConsoleConfig, parseConfig } from "../../../console/src/config";

const hosted: ConsoleConfig = {
  apiUrl: "https://abc123.execute-api.us-east-1.amazonaws.com/",
  region: "us-east-1",
  userPoolId: "us-east-1_Example",
  clientId: "client123",
  cognitoDomain: "https://finops.auth.us-east-1.amazoncognito.com",
};
const local: ConsoleConfig = {
  apiUrl: "/api",
  region: "us-east-1",
  userPoolId: "us-east-1_Example",
  clientId: "client123",
  cognitoEndpoint: "/cognito-idp/",
};

/** An ID token's shape (header.payload.signature); the console only reads the payload. */
function jwt(payload: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "RS256" })}.${part(payload)}.sig`;
}
const idToken = (expInS = 3600, extra: Record<string, unknown> = {}) =>
  jwt({
    sub: "sub-1",
    email: "fin@example.com",
    "cognito:groups": ["FinancialAdmins"],
    exp: Math.floor(Date.now() / 1000) + expInS,
    token_use: "id",
    ...extra,
  });

function browser() {
  const calls: { url: string; init: RequestInit }[] = [];
  const answers: (() => Response)[] = [];
  const store = new Map<string, string>();
  const assigned: string[] = [];
  return {
    calls,
    answers,
    store,
    assigned,
    env: {
      origin: "https://console.example.com",
      assign: (u: string) => assigned.push(u),
      storage: {
        getItem: (k: string) => store.get(k) ?? null,
        setItem: (k: string, v: string) => void store.set(k, v),
        removeItem: (k: string) => void store.delete(k),
      },
      fetch: (async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        const next = answers.shift();
        if (!next) throw new Error(`unexpected request to ${url}`);
        return next();
      }) as unknown as typeof fetch,
    },
  };
}
const json =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const form = (init: RequestInit) => Object.fromEntries(new URLSearchParams(String(init.body)));

/** Every session a test makes, disposed after it: a signed-in session holds its renewal timer. */
const sessions: Session[] = [];
const track = (s: Session) => {
  sessions.push(s);
  return s;
};
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
  jest.useRealTimers();
});

describe("PKCE and the managed login URLs", () => {
  it("computes the S256 challenge of RFC 7636's example (Appendix B)", async () => {
    // https://www.rfc-editor.org/rfc/rfc7636#appendix-B
    await expect(challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).resolves.toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("builds the authorize and logout URLs with the parameters Cognito documents", () => {
    // https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
    const a = new URL(
      authorizeUrl(hosted, { redirectUri: "https://c.example.com/callback", challenge: "ch", state: "st" }),
    );
    expect(a.origin + a.pathname).toBe("https://finops.auth.us-east-1.amazoncognito.com/oauth2/authorize");
    expect(Object.fromEntries(a.searchParams)).toEqual({
      response_type: "code",
      client_id: "client123",
      redirect_uri: "https://c.example.com/callback",
      scope: "openid email profile",
      code_challenge_method: "S256",
      code_challenge: "ch",
      state: "st",
    });
    // https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
    const l = new URL(logoutUrl(hosted, "https://c.example.com/"));
    expect(l.pathname).toBe("/logout");
    expect(Object.fromEntries(l.searchParams)).toEqual({
      client_id: "client123",
      logout_uri: "https://c.example.com/",
    });
  });
});

describe("the session on AWS (authorization code + PKCE)", () => {
  it("redirects to managed login, exchanges the code with the verifier, and keeps the tokens out of storage", async () => {
    const b = browser();
    const s = track(new Session(hosted, b.env));
    await s.beginHostedSignIn();
    const auth = new URL(b.assigned[0]!);
    const state = auth.searchParams.get("state")!;
    const saved = JSON.parse(b.store.get("finops.pkce")!) as { verifier: string; state: string };
    expect(saved.state).toBe(state);
    await expect(challengeOf(saved.verifier)).resolves.toBe(auth.searchParams.get("code_challenge"));
    expect(auth.searchParams.get("redirect_uri")).toBe("https://console.example.com/callback");

    const token = idToken();
    b.answers.push(json({ id_token: token, access_token: "at", refresh_token: "rt", expires_in: 3600 }));
    await s.completeHostedSignIn(`?code=the-code&state=${state}`);
    // https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
    expect(b.calls[0]!.url).toBe("https://finops.auth.us-east-1.amazoncognito.com/oauth2/token");
    expect(new Headers(b.calls[0]!.init.headers).get("content-type")).toBe(
      "application/x-www-form-urlencoded",
    );
    expect(form(b.calls[0]!.init)).toEqual({
      grant_type: "authorization_code",
      client_id: "client123",
      code: "the-code",
      redirect_uri: "https://console.example.com/callback",
      code_verifier: saved.verifier,
    });
    expect(s.current).toEqual({
      status: "signed-in",
      user: expect.objectContaining({ email: "fin@example.com" }),
    });
    await expect(s.idToken()).resolves.toBe(token);
    // Only the PKCE pair ever went to storage, and it is gone.
    expect([...b.store.keys()]).toEqual([]);
  });

  it("refuses a callback whose state is not the one it sent", async () => {
    const b = browser();
    const s = track(new Session(hosted, b.env));
    await s.beginHostedSignIn();
    await expect(s.completeHostedSignIn("?code=x&state=forged")).rejects.toThrow(/state mismatch/);
    expect(b.calls).toEqual([]);
  });

  it("renews with the refresh token before expiry, and ends the session as expired when renewal is refused", async () => {
    jest.useFakeTimers({ now: Date.now() });
    const b = browser();
    const s = track(new Session(hosted, b.env));
    await s.beginHostedSignIn();
    const state = new URL(b.assigned[0]!).searchParams.get("state");
    b.answers.push(json({ id_token: idToken(3600), access_token: "at", refresh_token: "rt" }));
    await s.completeHostedSignIn(`?code=c&state=${state}`);
    const renewed = idToken(7200, { sub: "sub-1", email: "fin@example.com" });
    b.answers.push(json({ id_token: renewed, access_token: "at2" }));
    await jest.advanceTimersByTimeAsync(56 * 60 * 1000);
    expect(form(b.calls[1]!.init)).toEqual({
      grant_type: "refresh_token",
      client_id: "client123",
      refresh_token: "rt",
    });
    await expect(s.idToken()).resolves.toBe(renewed);
    b.answers.push(json({ error: "invalid_grant" }, 400));
    await jest.advanceTimersByTimeAsync(2 * 3600 * 1000);
    expect(s.current).toEqual({ status: "signed-out", reason: "expired" });
    // The refresh token Cognito did not rotate was kept for the second renewal.
    expect(form(b.calls[2]!.init).refresh_token).toBe("rt");
  });

  it("signs out: revokes the refresh token and ends the managed-login session", async () => {
    const b = browser();
    const s = track(new Session(hosted, b.env));
    await s.beginHostedSignIn();
    const state = new URL(b.assigned[0]!).searchParams.get("state");
    b.answers.push(json({ id_token: idToken(), access_token: "at", refresh_token: "rt" }));
    await s.completeHostedSignIn(`?code=c&state=${state}`);
    b.answers.push(() => new Response("", { status: 200 }));
    await s.signOut();
    // https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html
    expect(b.calls[1]!.url).toBe("https://finops.auth.us-east-1.amazoncognito.com/oauth2/revoke");
    expect(form(b.calls[1]!.init)).toEqual({ token: "rt", client_id: "client123" });
    expect(b.assigned.at(-1)).toBe(logoutUrl(hosted, "https://console.example.com/"));
    expect(s.current).toEqual({ status: "signed-out", reason: "signed-out" });
    await expect(s.idToken()).resolves.toBeUndefined();
  });
});

describe("the session locally (the emulated pool's API)", () => {
  it("signs in with InitiateAuth USER_PASSWORD_AUTH and renews with REFRESH_TOKEN_AUTH", async () => {
    jest.useFakeTimers({ now: Date.now() });
    const b = browser();
    const s = track(new Session(local, b.env));
    b.answers.push(
      json({ AuthenticationResult: { IdToken: idToken(), AccessToken: "at", RefreshToken: "rt" } }),
    );
    await s.signInWithPassword("fin@example.com", "pw");
    // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
    expect(b.calls[0]!.url).toBe("/cognito-idp/");
    const headers = new Headers(b.calls[0]!.init.headers);
    expect(headers.get("x-amz-target")).toBe("AWSCognitoIdentityProviderService.InitiateAuth");
    expect(headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(JSON.parse(String(b.calls[0]!.init.body))).toEqual({
      ClientId: "client123",
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "fin@example.com", PASSWORD: "pw" },
    });
    // Renewed 55 minutes in (5 before expiry): the new token runs an hour from then.
    b.answers.push(json({ AuthenticationResult: { IdToken: idToken(2 * 3600), AccessToken: "at2" } }));
    await jest.advanceTimersByTimeAsync(56 * 60 * 1000);
    expect(JSON.parse(String(b.calls[1]!.init.body))).toEqual({
      ClientId: "client123",
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: "rt" },
    });
    expect(s.current.status).toBe("signed-in");
  });

  it("reports the pool's refusal by its message", async () => {
    const b = browser();
    const s = track(new Session(local, b.env));
    b.answers.push(
      json({ __type: "NotAuthorizedException", message: "Incorrect username or password." }, 400),
    );
    await expect(s.signInWithPassword("x@example.com", "bad")).rejects.toThrow(
      "Incorrect username or password.",
    );
    expect(s.current.status).toBe("signed-out");
  });
});

describe("tokens and configuration", () => {
  it("reads the caller from the ID token: groups, email, expiry", () => {
    const t = idToken(60, { "cognito:groups": ["Admins", "BUManagers"] });
    expect(userOf(t)).toEqual({
      sub: "sub-1",
      email: "fin@example.com",
      groups: ["Admins", "BUManagers"],
      expiresAt: Number(decodeJwt(t).exp) * 1000,
    });
  });

  it("refuses a config.json without what sign-in needs, naming the fields", () => {
    expect(() => parseConfig({ apiUrl: "/api" })).toThrow(
      "config.json: missing region, userPoolId, clientId",
    );
    expect(() => parseConfig({ ...local, cognitoEndpoint: undefined })).toThrow(/give cognitoDomain/);
    expect(parseConfig(hosted)).toEqual(hosted);
  });
});
