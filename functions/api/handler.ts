/**
 * The FinOps API's Lambda entry, behind the HTTP API (payload format 2.0): the dependencies come from
 * the environment once per container (a missing or malformed variable fails the cold start, naming
 * it); everything else is in app.ts, router.ts and operations/.
 */
import { readEnv } from "../shared/env";
import { apiEnvSchema, apiHandler, depsFromEnv } from "./app";

export { apiEnvSchema, apiHandler, depsFromEnv };

export const handler = apiHandler(depsFromEnv(readEnv(apiEnvSchema)));
