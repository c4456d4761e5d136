/**
 * What API Gateway's JWT authorizer does before an HTTP API route's integration runs, for the local
 * API front (local/api-front.ts), as "Control access to HTTP APIs with JWT authorizers in API
 * Gateway" documents it (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
 *
 * 1. The token comes from the identity source, `$request.header.Authorization` here
 *    (modules/app/http-api.ts), "only the token, or the token prefixed with Bearer".
 * 2. Decode it; check its algorithm and signature with the public key of the issuer's JWKS (RSA only),
 *    the key named by the token's `kid` header.
 * 3. Validate claims: `iss` equals the configured issuer; `aud`, or `client_id` when there is no
 *    `aud`, is one of the configured audiences; `exp` is after now; `nbf` and `iat` are before now.
 *    (Route scopes: the landing's routes have none, so there is no scope check.)
 * 4. Pass the claims to the integration in `requestContext.authorizer.jwt.claims`, with string
 *    values (test/support/cognito-tokens.ts cites the shapes).
 *
 * The signature and `exp`/`nbf` checks are aws-jwt-verify's (AWS's own library, `JwtRsaVerifier`),
 * the audience and `iat` checks are here, as API Gateway words them (aws-jwt-verify's `audience`
 * option reads only `aud`).
 *
 * Differences from AWS, said plainly:
 * - The keys are the emulator's: moto publishes the pool's JWKS at `<endpoint>/<pool-id>/.well-known/jwks.json`,
 *   not at `https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/jwks.json` (the issuer's
 *   jwks_uri), so the JWKS is read from `jwksUri`. moto puts the AWS issuer in its tokens
 *   (`https://cognito-idp.<region>.amazonaws.com/<pool-id>`), which is exactly the issuer the
 *   authorizer is configured with, so the issuer check is the real one.
 * - moto signs every pool's tokens with one RSA key (kid "dummy") shipped in moto's source: a token
 *   signed with another key is refused here as on AWS, but anyone with moto's source can sign a
 *   token this front accepts. Local only; on AWS each pool has its own secret keys.
 */
import { JwtRsaVerifier } from "aws-jwt-verify";
import {
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
} from "aws-jwt-verify/error";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

export interface JwtAuthorizerOptions {
  /** `jwtConfiguration.issuer`: https://cognito-idp.<region>.amazonaws.com/<user-pool-id>. */
  readonly issuer: string;
  /** `jwtConfiguration.audience`: the web client id(s). */
  readonly audience: readonly string[];
  /** Where the issuer's JWKS is read (moto's path, see above). */
  readonly jwksUri: string;
}

export type Authorization =
  | { readonly ok: true; readonly claims: Record<string, string>; readonly scopes: string[] | null }
  | {
      readonly ok: false;
      /** The `www-authenticate` header of the 401. */
      readonly challenge: string;
      /** Why, for the front's log. */
      readonly reason: string;
    };

/**
 * The 401's `www-authenticate` value. AWS documents the format with the audience case
 * ("Troubleshooting issues with HTTP API JWT authorizers":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html):
 * `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`.
 * The other descriptions are this front's wording in the same format. A request with no token gets
 * the bare challenge `Bearer`: RFC 6750 section 3.1 says a request without authentication information
 * gets no error code.
 */
export const invalidToken = (description: string) =>
  `Bearer scope="" error="invalid_token" error_description="${description}"`;
export const AUDIENCE_DESCRIPTION = "the token does not have a valid audience";

/** HTTP API passes claim values as strings: arrays as "[a b]", numbers and booleans as text. */
export function claimsAsStrings(payload: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v)
      ? `[${v.map(String).join(" ")}]`
      : typeof v === "object"
        ? JSON.stringify(v)
        : String(v);
  }
  return out;
}

export function createJwtAuthorizer(options: JwtAuthorizerOptions) {
  const jwksCache = new SimpleJwksCache({
    // aws-jwt-verify fetches over https only; the emulator serves http on loopback.
    fetcher: {
      fetch: async (uri: string) => {
        const res = await fetch(uri, { signal: AbortSignal.timeout(5000) });
        if (!res.ok) throw new Error(`JWKS ${uri}: HTTP ${res.status}`);
        return res.arrayBuffer();
      },
    },
  });
  const verifier = JwtRsaVerifier.create(
    { issuer: options.issuer, audience: null, jwksUri: options.jwksUri },
    { jwksCache },
  );
  const audience = new Set(options.audience);

  return async function authorize(authorization: string | undefined): Promise<Authorization> {
    const raw = authorization?.trim() ?? "";
    const token = raw.replace(/^Bearer\s+/i, "");
    if (!token) return { ok: false, challenge: "Bearer", reason: "no Authorization header" };
    let payload: Record<string, unknown>;
    try {
      payload = (await verifier.verify(token)) as Record<string, unknown>;
    } catch (e) {
      const description =
        e instanceof JwtExpiredError
          ? "the token has expired"
          : e instanceof JwtNotBeforeError
            ? "the token is not valid yet"
            : e instanceof JwtInvalidIssuerError
              ? "the token does not have a valid issuer"
              : e instanceof JwtParseError || e instanceof JwtWithoutValidKidError
                ? "the token could not be decoded"
                : "the token signature is invalid";
      const name = (e as Error).constructor?.name ?? "Error";
      return { ok: false, challenge: invalidToken(description), reason: `${name}: ${(e as Error).message}` };
    }
    // API Gateway evaluates aud when present, and client_id only without aud.
    const aud = payload.aud ?? payload.client_id;
    const auds = Array.isArray(aud) ? aud : [aud];
    if (!auds.some((a) => typeof a === "string" && audience.has(a)))
      return {
        ok: false,
        challenge: invalidToken(AUDIENCE_DESCRIPTION),
        reason: `audience ${JSON.stringify(aud)} is not one of ${[...audience].join(", ")}`,
      };
    if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000)
      return {
        ok: false,
        challenge: invalidToken("the token is not valid yet"),
        reason: `iat ${payload.iat} is in the future`,
      };
    const scope = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : null;
    return { ok: true, claims: claimsAsStrings(payload), scopes: scope };
  };
}
