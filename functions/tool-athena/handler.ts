/** Athena tool Lambda (an MCP gateway target). Identifiers from configuration are validated at cold start. */
import { athenaToolFromEnv } from "../shared/athena-tool-env";
import { lambdaHandler } from "../shared/observability";
import { checkReadOnlySql } from "../shared/sql-guard";
import { runAthenaTool } from "./tool";

const { engine } = athenaToolFromEnv({ maxWaitSeconds: 240 });

export const handler = lambdaHandler(async (event: unknown) =>
  runAthenaTool({ engine, check: checkReadOnlySql }, event),
);
