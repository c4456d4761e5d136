/**
 * The tool an MCP gateway asked for. Amazon Bedrock AgentCore Gateway invokes a Lambda target with
 * the tool's arguments as the event and names the tool in the client context
 * (`bedrockAgentCoreToolName`, "<target>___<tool>"); scripts pass the same client context.
 */
export const TOOL_NAME_DELIMITER = "___";

export function toolNameOf(
  context: { clientContext?: { Custom?: unknown; custom?: unknown } } | undefined,
): string | undefined {
  const custom = (context?.clientContext?.Custom ?? context?.clientContext?.custom) as
    | Record<string, unknown>
    | undefined;
  const raw = custom?.bedrockAgentCoreToolName;
  if (typeof raw !== "string" || raw === "") return undefined;
  const i = raw.lastIndexOf(TOOL_NAME_DELIMITER);
  return i >= 0 ? raw.slice(i + TOOL_NAME_DELIMITER.length) : raw;
}
