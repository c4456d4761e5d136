/**
 * Sign-in to the emulated user pool through the Cognito API, as a user (not an admin call):
 * InitiateAuth with the user's email and password, which returns the ID, access and refresh tokens
 * the API front verifies. Used by `npm run local:token` and the integration tests.
 *
 * The flow is USER_PASSWORD_AUTH because it is the one in which moto checks the password: moto
 * answers USER_SRP_AUTH's PASSWORD_VERIFIER without verifying the SRP proof, and it does not enforce
 * the app client's ExplicitAuthFlows. On AWS the web client allows USER_SRP_AUTH and refresh only
 * (modules/app/user-pool.ts), so this exact call would be refused there; the console signs in on AWS
 * with the hosted login page (authorization code + PKCE).
 */
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  NotAuthorizedException,
} from "@aws-sdk/client-cognito-identity-provider";

export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresIn: number;
}

export async function signIn(o: {
  readonly motoEndpoint: string;
  readonly region: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
}): Promise<Tokens> {
  // InitiateAuth is an unsigned call in the Cognito API; the emulator finds the pool by client id.
  const cognito = new CognitoIdentityProviderClient({
    endpoint: o.motoEndpoint,
    region: o.region,
    credentials: { accessKeyId: "unused", secretAccessKey: "unused" },
    maxAttempts: 1,
  });
  try {
    const out = await cognito.send(
      new InitiateAuthCommand({
        ClientId: o.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: o.username, PASSWORD: o.password },
      }),
    );
    const r = out.AuthenticationResult;
    if (!r?.IdToken || !r.AccessToken)
      throw new Error(
        `sign-in of ${o.username} did not return tokens${out.ChallengeName ? ` (challenge ${out.ChallengeName})` : ""}`,
      );
    return {
      idToken: r.IdToken,
      accessToken: r.AccessToken,
      ...(r.RefreshToken ? { refreshToken: r.RefreshToken } : {}),
      expiresIn: r.ExpiresIn ?? 3600,
    };
  } catch (e) {
    if (e instanceof NotAuthorizedException)
      throw new Error(`sign-in of ${o.username} refused: ${e.message}`);
    throw e;
  } finally {
    cognito.destroy();
  }
}
