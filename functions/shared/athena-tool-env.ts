/**
 * Cold start of the Athena-backed cost tools (tool-athena, tool-cur-summary): the workgroup, the
 * database and the CUR table from the environment, the two names checked as safe Athena
 * identifiers before any SQL is built with them, and the query engine.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import * as z from "zod";
import { readEnv } from "./env";
import { AthenaQueryEngine } from "./query-engine/athena";
import { validateAthenaIdentifier } from "./sql-guard/identifier";

export const athenaToolEnvSchema = z.object({
  ATHENA_WORKGROUP: z.string().min(1),
  GLUE_DATABASE: z.string().min(1),
  CUR_TABLE: z.string().min(1),
});

export function athenaToolFromEnv(
  options: { readonly maxWaitSeconds?: number; readonly athena?: AthenaClient } = {},
  processEnv: NodeJS.ProcessEnv = process.env,
): { engine: AthenaQueryEngine; database: string; table: string } {
  const env = readEnv(athenaToolEnvSchema, processEnv);
  const database = validateAthenaIdentifier(env.GLUE_DATABASE, "GLUE_DATABASE");
  const table = validateAthenaIdentifier(env.CUR_TABLE, "CUR_TABLE");
  const engine = new AthenaQueryEngine({
    athena: options.athena ?? new AthenaClient({}),
    workgroup: env.ATHENA_WORKGROUP,
    database,
    table,
    ...(options.maxWaitSeconds !== undefined ? { maxWaitSeconds: options.maxWaitSeconds } : {}),
  });
  return { engine, database, table };
}
