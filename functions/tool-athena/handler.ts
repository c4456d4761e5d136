/** Athena tool Lambda (an MCP gateway target). Identifiers from configuration are validated at cold start. */
import { AthenaClient } from "@aws-sdk/client-athena";
import { z } from "zod";
import { readEnv } from "../shared/env";
import { AthenaQueryEngine } from "../shared/query-engine/athena";
import { checkReadOnlySql, validateAthenaIdentifier } from "../shared/sql-guard";
import { runAthenaTool } from "./tool";

const env = readEnv(
  z.object({
    ATHENA_WORKGROUP: z.string().min(1),
    GLUE_DATABASE: z.string().min(1),
    CUR_TABLE: z.string().min(1),
  }),
);
const database = validateAthenaIdentifier(env.GLUE_DATABASE, "GLUE_DATABASE");
const table = validateAthenaIdentifier(env.CUR_TABLE, "CUR_TABLE");
const engine = new AthenaQueryEngine({
  athena: new AthenaClient({}),
  workgroup: env.ATHENA_WORKGROUP,
  database,
  table,
  maxWaitSeconds: 240,
});

export const handler = async (event: unknown) => runAthenaTool({ engine, check: checkReadOnlySql }, event);
