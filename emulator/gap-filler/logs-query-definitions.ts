import { randomUUID } from "node:crypto";
import { type GapHandler, type GapRequest, type GapResponse, jsonError, jsonOk } from "./server";

/**
 * Emulated CloudWatch Logs saved queries (moto 5.2.1 raises NotImplementedError for
 * PutQueryDefinition): PutQueryDefinition, DescribeQueryDefinitions, DeleteQueryDefinition, what
 * aws_cloudwatch_query_definition calls. In memory, per account; every other Logs call goes to moto.
 */
const PREFIX = "Logs_20140328.";
const OPS = new Set(["PutQueryDefinition", "DescribeQueryDefinitions", "DeleteQueryDefinition"]);

interface QueryDefinition {
  queryDefinitionId: string;
  name: string;
  queryString: string;
  logGroupNames: string[];
  lastModified: number;
}

export function createLogsQueryDefinitionsHandler(): GapHandler {
  const byAccount = new Map<string, Map<string, QueryDefinition>>();
  return {
    name: "logs query definitions (emulated CloudWatch Logs saved queries)",
    matches: (req: GapRequest) => OPS.has(req.target?.slice(PREFIX.length) ?? ""),
    async handle(req, ctx): Promise<GapResponse> {
      const account = await ctx.accountOf(req);
      const defs = byAccount.get(account) ?? new Map<string, QueryDefinition>();
      byAccount.set(account, defs);
      const body = JSON.parse(req.body.toString("utf8") || "{}") as Record<string, unknown>;
      switch (req.target!.slice(PREFIX.length)) {
        case "PutQueryDefinition": {
          const id = typeof body.queryDefinitionId === "string" ? body.queryDefinitionId : randomUUID();
          if (body.queryDefinitionId !== undefined && !defs.has(id))
            return jsonError(400, "ResourceNotFoundException", `no query definition ${id}`);
          defs.set(id, {
            queryDefinitionId: id,
            name: String(body.name),
            queryString: String(body.queryString),
            logGroupNames: (body.logGroupNames as string[]) ?? [],
            lastModified: Date.now(),
          });
          return jsonOk({ queryDefinitionId: id });
        }
        case "DescribeQueryDefinitions": {
          const prefix =
            typeof body.queryDefinitionNamePrefix === "string" ? body.queryDefinitionNamePrefix : "";
          return jsonOk({ queryDefinitions: [...defs.values()].filter((d) => d.name.startsWith(prefix)) });
        }
        default: {
          const id = String(body.queryDefinitionId);
          if (!defs.delete(id))
            return jsonError(400, "ResourceNotFoundException", `no query definition ${id}`);
          return jsonOk({ success: true });
        }
      }
    },
  };
}
