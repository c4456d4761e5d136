/**
 * Claims of the two Cognito user pool tokens as AWS documents them, and as API Gateway hands them
 * to the API function after its JWT authorizer verified the token. The emulator does not define
 * these shapes (moto returns the email as the username and issues no real tokens); AWS does:
 *
 * - ID token, "Understanding the identity (ID) token":
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
 *   `sub` (UUID), `cognito:groups`, `email_verified`, `iss`, `cognito:username`, `aud` (the app
 *   client id), `token_use: "id"`, `auth_time`, `exp`, `iat`, `jti`, `origin_jti`, `event_id`,
 *   `email`.
 * - Access token, "Understanding the access token":
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 *   `sub`, `cognito:groups`, `token_use: "access"`, `scope`, `auth_time`, `iss`, `exp`, `iat`,
 *   `jti`, `origin_jti`, `client_id` (no `aud`), `username`; no `email`, no `email_verified`.
 * - `cognito:username` / `username` is not the email here: the pool signs in by email
 *   (`username_attributes = ["email"]`, modules/app/user-pool.ts), and then Cognito generates the
 *   username ("Working with user attributes", username and sign-in attributes:
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html).
 *   The builders below give it a UUID distinct from both the email and the `sub`.
 * - How the claims reach the function, "Control access to HTTP APIs with JWT authorizers in API
 *   Gateway": https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 *   The authorizer checks `aud`, or `client_id` when there is no `aud`, against its audience
 *   (here the web client id), so BOTH tokens of the web client pass it; then it passes the claims
 *   to the integration in `requestContext.authorizer.jwt.claims`. HTTP API passes claim values as
 *   strings (`"email_verified": "true"`, `"cognito:groups": "[A B]"`, numbers as digits).
 */
import { createHash } from "node:crypto";

/** A v4-shaped UUID derived from a label: stable across runs, opaque like Cognito's. */
export function uuidFor(label: string): string {
  const h = createHash("sha256").update(label).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The `sub` of the test person with this email (a UUID, not derived from anything Cognito shows). */
export const subOf = (email: string): string => uuidFor(`sub:${email}`);
/** Their generated `cognito:username` (a UUID distinct from the email and from the `sub`). */
export const usernameOf = (email: string): string => uuidFor(`username:${email}`);

export const TEST_REGION = "eu-west-1";
export const TEST_USER_POOL_ID = "eu-west-1_Ab1Cd2Ef3";
/** The web app client id: the JWT authorizer's audience (modules/app/http-api.ts). */
export const TEST_WEB_CLIENT_ID = "4fkq8example1client2id3abc";
const ISS = `https://cognito-idp.${TEST_REGION}.amazonaws.com/${TEST_USER_POOL_ID}`;
const T0 = 1_773_136_800; // 2026-03-10T10:00:00Z

function common(email: string, groups: readonly string[]) {
  return {
    sub: subOf(email),
    "cognito:groups": `[${groups.join(" ")}]`,
    iss: ISS,
    auth_time: String(T0),
    iat: String(T0),
    exp: String(T0 + 3600),
    jti: uuidFor(`jti:${email}`),
    origin_jti: uuidFor(`origin_jti:${email}`),
  };
}

/** The claims of an ID token as the function receives them. */
export function idTokenClaims(
  email: string,
  groups: readonly string[] = [],
  opts: { emailVerified?: boolean } = {},
): Record<string, string> {
  return {
    ...common(email, groups),
    "cognito:username": usernameOf(email),
    aud: TEST_WEB_CLIENT_ID,
    event_id: uuidFor(`event:${email}`),
    token_use: "id",
    email,
    email_verified: String(opts.emailVerified ?? true),
  };
}

/** The claims of an access token of the same user and client as the function would receive them. */
export function accessTokenClaims(email: string, groups: readonly string[] = []): Record<string, string> {
  return {
    ...common(email, groups),
    token_use: "access",
    scope: "openid email profile",
    client_id: TEST_WEB_CLIENT_ID,
    username: usernameOf(email),
  };
}
