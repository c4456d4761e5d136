/**
 * The finance console's runtime configuration: `/config.json` next to index.html. On AWS the admin
 * stack writes it into the console bucket (modules/console-hosting), so one build of the console
 * serves every organization; locally the local API front serves its own. The console reads it
 * before anything else (docs/console-hosting.md, "Runtime configuration").
 */
export interface ConsoleRuntimeConfig {
  /** Base URL of the FinOps API (the HTTP API's $default stage), e.g. https://abc123.execute-api.us-east-1.amazonaws.com/ */
  readonly apiUrl: string;
  /** Region of the user pool and the API. */
  readonly region: string;
  readonly userPoolId: string;
  /** The web app client (public, no secret): authorization code with PKCE. */
  readonly clientId: string;
  /** Origin of Cognito managed login (authorize, token, logout endpoints), e.g. https://finops-000000000002.auth.us-east-1.amazoncognito.com */
  readonly cognitoDomain: string;
}

/** Object key of the runtime configuration in the console bucket (and its URL path). */
export const CONSOLE_RUNTIME_CONFIG_KEY = "config.json";
