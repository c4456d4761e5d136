/**
 * The Cost Explorer tool: two MCP tools, get_cost_and_usage and get_cost_forecast, whose inputs are
 * checked against the allowlists in functions/shared/cost-explorer-params.ts before any call. A bad
 * input or an AWS error returns `{ error: message }` (only the message: no stack, no request ids).
 */
import {
  type CostExplorerClient,
  GetCostAndUsageCommand,
  GetCostForecastCommand,
} from "@aws-sdk/client-cost-explorer";
import {
  costAndUsageJsonSchema,
  costForecastJsonSchema,
  toGetCostAndUsageInput,
  toGetCostForecastInput,
} from "../shared/cost-explorer-params";

export const COST_EXPLORER_TOOLS = {
  get_cost_and_usage: {
    description:
      "AWS cost and usage of the organization from Cost Explorer for a date range (end exclusive), with allowlisted metrics, group-bys and filters",
    inputSchema: costAndUsageJsonSchema,
  },
  get_cost_forecast: {
    description: "Cost Explorer forecast of one metric from today or later",
    inputSchema: costForecastJsonSchema,
  },
} as const;
export type CostExplorerToolName = keyof typeof COST_EXPLORER_TOOLS;

export type ToolResult<T> = { readonly result: T } | { readonly error: string };

export async function runCostExplorerTool(
  ce: CostExplorerClient,
  tool: string,
  input: unknown,
  today: string,
): Promise<ToolResult<unknown>> {
  try {
    if (tool === "get_cost_and_usage") {
      const req = toGetCostAndUsageInput(input);
      if (!req.ok) return { error: req.error };
      const out = await ce.send(new GetCostAndUsageCommand(req.value));
      return {
        result: {
          resultsByTime: out.ResultsByTime ?? [],
          dimensionValueAttributes: out.DimensionValueAttributes ?? [],
          ...(out.NextPageToken ? { truncated: true } : {}),
        },
      };
    }
    if (tool === "get_cost_forecast") {
      const req = toGetCostForecastInput(input, today);
      if (!req.ok) return { error: req.error };
      const out = await ce.send(new GetCostForecastCommand(req.value));
      return { result: { total: out.Total, forecastResultsByTime: out.ForecastResultsByTime ?? [] } };
    }
    return {
      error: `unknown tool ${JSON.stringify(tool)}; tools are ${Object.keys(COST_EXPLORER_TOOLS).join(", ")}`,
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
