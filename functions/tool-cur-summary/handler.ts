/** Monthly CUR summary tool Lambda (an MCP gateway target): predefined queries on Athena. */
import { AthenaClient } from "@aws-sdk/client-athena";
import { z } from "zod";
import { readEnv } from "../shared/env";
import { AthenaQueryEngine } from "../shared/query-engine/athena";
import { validateAthenaIdentifier } from "../shared/sql-guard/identifier";
import { runCurSummaryTool } from "./tool";

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
});

/** The queries name the (validated) table; the engine runs them in the configured database. */
export const handler = async (event: unknown) => runCurSummaryTool(engine, table, event);
