/**
 * The runtime configuration, read from /config.json before anything else: one build serves every
 * organization (contracts/console-config.ts). On AWS the admin stack writes it (cognitoDomain set:
 * sign-in through Cognito managed login); the local API front serves its own (cognitoEndpoint set:
 * sign-in through the emulated pool's API, which has no hosted login page).
 */
import type { ConsoleRuntimeConfig } from "../../contracts/console-config";

export interface ConsoleConfig extends Partial<ConsoleRuntimeConfig> {
  readonly apiUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Local only: the Cognito user API (InitiateAuth …) on the console's own origin. */
  readonly cognitoEndpoint?: string;
}

export type SignInMode = "hosted" | "password";

export function signInMode(c: ConsoleConfig): SignInMode {
  return c.cognitoDomain ? "hosted" : "password";
}

/** Checks the fields the console needs; the message names each missing one. */
export function parseConfig(raw: unknown): ConsoleConfig {
  if (!raw || typeof raw !== "object") throw new Error("config.json: not a JSON object");
  const o = raw as Record<string, unknown>;
  const missing = ["apiUrl", "region", "userPoolId", "clientId"].filter(
    (k) => typeof o[k] !== "string" || !(o[k] as string).trim(),
  );
  if (missing.length) throw new Error(`config.json: missing ${missing.join(", ")}`);
  if (typeof o.cognitoDomain !== "string" && typeof o.cognitoEndpoint !== "string")
    throw new Error(
      "config.json: give cognitoDomain (Cognito managed login, on AWS) or cognitoEndpoint (the emulated pool's API, locally)",
    );
  return o as unknown as ConsoleConfig;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch("/config.json");
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  return parseConfig(await res.json());
}

/** The API URL of a route path ("/spend?month=…"): apiUrl is "/api" locally, the stage URL on AWS. */
export function apiPath(c: ConsoleConfig, path: string): string {
  return `${c.apiUrl.replace(/\/+$/, "")}${path}`;
}
