import { ACCESS_LOG_FORMAT } from "../../../../modules/app/http-api";
import { accessTokenClaims, idTokenClaims } from "../../../support/cognito-tokens";

/*
 * The stage's access-log line should read only claims the accepted token has (a field naming an
 * absent claim tells nothing; $context.authorizer.claims.property, "Customize HTTP API access
 * logs": https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html).
 * The API accepts the ID token; access tokens pass the authorizer too (on client_id) and are
 * refused by the function with 401, so the line should still say who and which token.
 * Token shapes: test/support/cognito-tokens.ts (from the Cognito developer guide).
 */
describe("the API access-log format", () => {
  const fields: Record<string, string> = JSON.parse(ACCESS_LOG_FORMAT);
  const claimsRead = Object.values(fields)
    .map((v) => /^\$context\.authorizer\.claims\.(.+)$/.exec(v)?.[1])
    .filter((c): c is string => c !== undefined);

  it("logs the caller's sub and the token_use", () => {
    expect(fields).toMatchObject({
      sub: "$context.authorizer.claims.sub",
      tokenUse: "$context.authorizer.claims.token_use",
    });
  });

  it("reads only claims that both Cognito tokens carry, and no email", () => {
    const id = idTokenClaims("fin@example.com", ["FinancialAdmins"]);
    const access = accessTokenClaims("fin@example.com", ["FinancialAdmins"]);
    expect(claimsRead.length).toBeGreaterThan(0);
    for (const claim of claimsRead) {
      expect(id).toHaveProperty([claim]);
      expect(access).toHaveProperty([claim]);
    }
    expect(claimsRead).not.toContain("email");
    expect(claimsRead).not.toContain("username");
    expect(claimsRead).not.toContain("cognito:username");
  });
});
