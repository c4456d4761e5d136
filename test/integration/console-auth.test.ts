import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { loadAccountConfig } from "../../config/load";
import { type ApiFront, apiFrontOptionsFromEmulator, startApiFront } from "../../local/api-front";
import {
  type ManagedLoginStandIn,
  SESSION_COOKIE,
  s256,
  startManagedLoginStandIn,
} from "../../local/api-front-managed-login";
import { createDemoUsers, DEMO_PASSWORD, demoUsername } from "../../local/demo-users";
import { deployLocal, emulatorEndpoint } from "../support/local-org";

/**
 * The console's managed-login mode (authorization code + PKCE, docs/console.md) in a real browser.
 *
 * On AWS the console signs in through Cognito managed login, which cannot run here: moto serves no
 * hosted login pages. local/api-front-managed-login.ts is a STAND-IN for the user pool domain's
 * endpoints, written from their documentation, on an origin of its own; it checks the email and
 * password against the emulated pool and hands out that pool's tokens, which the local API front
 * verifies as the HTTP API's JWT authorizer does. What it replaces, and what this test therefore
 * proves about the console rather than about Cognito:
 *   /oauth2/authorize https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
 *   /login            https://docs.aws.amazon.com/cognito/latest/developerguide/login-endpoint.html
 *   /oauth2/token     https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
 *   /oauth2/revoke    https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html
 *   /logout           https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
 * PKCE: RFC 7636 (S256: BASE64URL(SHA256(code_verifier)), §4.6; the example of Appendix B).
 *
 * The console is served by the local API front with the hosted security headers, the stand-in's
 * origin standing for Cognito's in the CSP, and no page may report a CSP violation.
 */
const config = loadAccountConfig("accounts/local.yaml");
const region = config.organization.homeRegion;
const CHROMIUM = process.env.FINOPS_CHROMIUM ?? "/usr/bin/chromium";

describe("the console's managed login (code + PKCE) in a browser, through a stand-in for Cognito managed login", () => {
  let front: ApiFront;
  let standIn: ManagedLoginStandIn;
  let browser: Browser;
  let clientId: string;
  /** The stand-in as Node reaches it (its URL names localhost, which the browser resolves). */
  let standInDirect: string;
  const contexts: BrowserContext[] = [];
  const violations: string[] = [];

  beforeAll(async () => {
    let options = await apiFrontOptionsFromEmulator(config, emulatorEndpoint()).catch(() => undefined);
    if (!options) {
      const { outcomes } = await deployLocal(config, ["admin"]);
      if (outcomes[0]?.error) throw new Error(`the admin stack did not apply: ${outcomes[0].error}`);
      options = await apiFrontOptionsFromEmulator(config, emulatorEndpoint());
    }
    execFileSync("npm", ["run", "-s", "console:build"], { stdio: "pipe" });
    await createDemoUsers(config, emulatorEndpoint());
    clientId = options.webClientId;
    standIn = await startManagedLoginStandIn({
      motoEndpoint: emulatorEndpoint(),
      region,
      credentials: options.credentials,
      userPoolId: options.userPoolId,
      clientId,
    });
    standInDirect = standIn.url.replace("//localhost:", "//127.0.0.1:");
    // The managed-login configuration: cognitoDomain, as Terraform writes it on AWS (no cognitoEndpoint).
    const { cognitoEndpoint: _, ...base } = options.consoleConfig as Record<string, unknown>;
    front = await startApiFront({
      ...options,
      staticDir: path.resolve("console/dist"),
      consoleConfig: { ...base, cognitoDomain: standIn.url },
    });
    standIn.allowConsoleOrigin(front.url);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  }, 1_800_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await front?.close();
    await standIn?.close();
  });

  async function newContext(): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await context.addInitScript(
      `document.addEventListener("securitypolicyviolation", (e) => console.error("securitypolicyviolation: " + e.violatedDirective + " blocked " + e.blockedURI));`,
    );
    context.on("console", (m) => {
      if (/securitypolicyviolation|Content Security Policy/i.test(m.text()))
        violations.push(`${m.page()?.url()}: ${m.text()}`);
    });
    return context;
  }

  const eventsSince = (n: number) =>
    standIn.events.slice(n).map((e) => `${e.endpoint} ${e.grantType ?? ""} ${e.outcome}`);

  /** From the console's "Sign in" button to the stand-in's form and back, signed in. */
  async function signInThroughForm(page: Page, group: string) {
    await page.goto(front.url);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.href.startsWith(`${standIn.url}/login?`));
    await page.getByLabel("Email").fill(demoUsername(group));
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("me").waitFor();
  }

  let page: Page;
  let refreshToken: string | undefined;

  it("redirects to managed login with PKCE, signs in on its form, exchanges the code and keeps the tokens out of web storage", async () => {
    const context = await newContext();
    page = await context.newPage();
    page.on("response", async (r) => {
      if (r.url().endsWith("/oauth2/token") && r.ok())
        refreshToken = ((await r.json()) as { refresh_token?: string }).refresh_token ?? refreshToken;
    });
    const before = standIn.events.length;
    await page.goto(front.url);
    await page.getByRole("button", { name: "Sign in" }).click();
    // /oauth2/authorize redirected to /login with the same parameters (no session yet).
    await page.waitForURL((u) => u.href.startsWith(`${standIn.url}/login?`));
    const q = new URL(page.url()).searchParams;
    expect(Object.fromEntries(q)).toEqual({
      response_type: "code",
      client_id: clientId,
      redirect_uri: `${front.url}/callback`,
      scope: "openid email profile",
      code_challenge_method: "S256",
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      state: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/),
    });
    await page.getByLabel("Email").fill(demoUsername("FinancialAdmins"));
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toBe("Incorrect username or password.");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("me").waitFor();
    await expect(page.getByTestId("me").textContent()).resolves.toContain("FinancialAdmins");
    expect(new URL(page.url()).pathname).toBe("/");
    expect(eventsSince(before)).toEqual([
      "authorize  to /login",
      expect.stringMatching(/^login {2}refused: /),
      "login  signed in; session cookie set",
      "token authorization_code tokens issued",
    ]);
    // The tokens live in the page's memory only: web storage is empty (the PKCE entry removed on
    // return), the console's origin has no cookie, and the stand-in's session cookie is HttpOnly.
    await expect(
      page.evaluate<[number, number, string]>(
        "[localStorage.length, sessionStorage.length, document.cookie]",
      ),
    ).resolves.toEqual([0, 0, ""]);
    expect(await context.cookies(front.url)).toEqual([]);
    expect(await context.cookies(standIn.url)).toEqual([
      expect.objectContaining({ name: SESSION_COOKIE, httpOnly: true, sameSite: "Lax" }),
    ]);
    expect(refreshToken).toEqual(expect.any(String));
    // The API accepts the ID token: a view that calls it loads.
    await page.getByRole("navigation", { name: "Views" }).getByRole("link", { name: "Budgets" }).click();
    await page.getByTestId("budgets").waitFor();
  });

  it("signs in again after a reload through the managed-login session, without the form", async () => {
    const before = standIn.events.length;
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("me").waitFor();
    expect(eventsSince(before)).toEqual([
      "authorize  code issued from the session cookie",
      "token authorization_code tokens issued",
    ]);
  });

  it("ends the session on sign-out: refresh token revoked, the session cookie cleared, the next visit asks to sign in", async () => {
    const before = standIn.events.length;
    // The console forgets the tokens at once, revokes the refresh token, then navigates to /logout,
    // which redirects back to the console.
    const loggedOut = page.waitForRequest((r) => r.url().startsWith(`${standIn.url}/logout?`));
    await page.getByRole("button", { name: "Sign out" }).click();
    await loggedOut;
    await page.waitForURL(`${front.url}/`);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(eventsSince(before)).toEqual([
      "revoke  refresh token revoked",
      "logout  session ended; cookie cleared",
    ]);
    expect(await page.context().cookies(standIn.url)).toEqual([]);
    // The revoked refresh token no longer renews anything.
    const renewed = await fetch(`${standInDirect}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        client_id: clientId,
        refresh_token: refreshToken!,
      }),
    });
    expect([renewed.status, await renewed.json()]).toEqual([400, { error: "invalid_grant" }]);
    // Signing in again needs the form.
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.href.startsWith(`${standIn.url}/login?`));
    await page.getByLabel("Password").waitFor();
  });

  it("renews the tokens silently at the token endpoint before the ID token expires", async () => {
    const context = await newContext();
    const p = await context.newPage();
    // The page's clock, so the hour passes at once (the renewal timer fires 5 minutes before expiry).
    await p.clock.install();
    await signInThroughForm(p, "BUManagers");
    const before = standIn.events.length;
    await p.clock.fastForward("56:00");
    // The renewal happens on the page's timer: wait (at most 10 s) for the stand-in to record it.
    for (let i = 0; i < 100 && !eventsSince(before).includes("token refresh_token tokens renewed"); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(eventsSince(before)).toContain("token refresh_token tokens renewed");
    // Still signed in, and the API takes the renewed ID token.
    await expect(p.getByText("Your session has expired").count()).resolves.toBe(0);
    await p.getByRole("navigation", { name: "Views" }).getByRole("link", { name: "Budgets" }).click();
    await p.getByTestId("budgets").waitFor();
    await context.close();
  });

  it("refuses what managed login refuses: an unknown callback, no PKCE, a wrong verifier, a code used twice", async () => {
    const authorize = (params: Record<string, string>) =>
      fetch(`${standInDirect}/oauth2/authorize?${new URLSearchParams(params)}`, { redirect: "manual" });
    const base = {
      response_type: "code",
      client_id: clientId,
      redirect_uri: `${front.url}/callback`,
      scope: "openid email profile",
      state: "s1",
    };
    // An unknown redirect_uri gets an error page, never a redirect to it.
    const unknown = await authorize({ ...base, redirect_uri: "https://evil.example.com/callback" });
    expect(unknown.status).toBe(400);
    // No code_challenge: back to the callback with the error and the state (RFC 6749 §4.1.2.1).
    const noPkce = await authorize(base);
    expect(noPkce.status).toBe(302);
    expect(Object.fromEntries(new URL(noPkce.headers.get("location")!).searchParams)).toMatchObject({
      error: "invalid_request",
      state: "s1",
    });
    const plain = await authorize({
      ...base,
      code_challenge_method: "plain",
      code_challenge: "x".repeat(43),
    });
    expect(new URL(plain.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");

    // RFC 7636 Appendix B's example verifier and challenge (https://www.rfc-editor.org/rfc/rfc7636#appendix-B).
    const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    expect(s256(verifier)).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    const codeOf = async () => {
      const res = await fetch(
        `${standInDirect}/login?${new URLSearchParams({ ...base, code_challenge_method: "S256", code_challenge: s256(verifier) })}`,
        {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ username: demoUsername("Admins"), password: DEMO_PASSWORD }),
        },
      );
      expect(res.status).toBe(302);
      return new URL(res.headers.get("location")!).searchParams.get("code")!;
    };
    const exchange = (code: string, v: string, redirectUri = base.redirect_uri) =>
      fetch(`${standInDirect}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          client_id: clientId,
          code,
          redirect_uri: redirectUri,
          code_verifier: v,
        }),
      });
    const wrong = await exchange(await codeOf(), "W".repeat(43));
    expect([wrong.status, await wrong.json()]).toEqual([400, { error: "invalid_grant" }]);
    const code = await codeOf();
    const otherRedirect = await exchange(code, verifier, `${front.url}/elsewhere`);
    expect([otherRedirect.status, await otherRedirect.json()]).toEqual([400, { error: "invalid_grant" }]);
    // That code was spent by the failed attempt; a fresh one with the right verifier gives tokens, once.
    const good = await codeOf();
    const ok = await exchange(good, verifier);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("*");
    expect(await ok.json()).toEqual({
      id_token: expect.any(String),
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: expect.any(Number),
      token_type: "Bearer",
    });
    const again = await exchange(good, verifier);
    expect([again.status, await again.json()]).toEqual([400, { error: "invalid_grant" }]);
  });

  it("reported no Content-Security-Policy violation (the console under the hosted policy, the stand-in as Cognito)", () => {
    expect(violations).toEqual([]);
  });
});
