/** Monthly CUR summary tool Lambda (an MCP gateway target): predefined queries on Athena. */
import { athenaToolFromEnv } from "../shared/athena-tool-env";
import { lambdaHandler } from "../shared/observability";
import { runCurSummaryTool } from "./tool";

const { engine, table } = athenaToolFromEnv();

/** The queries name the (validated) table; the engine runs them in the configured database. */
export const handler = lambdaHandler(async (event: unknown) => runCurSummaryTool(engine, table, event));
