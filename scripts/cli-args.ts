import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** A wrong command line: the scripts print it with their usage and exit 2. */
export class UsageError extends Error {}

/**
 * Command-line options through Node's own parser (`node:util` parseArgs), strict: an unknown option,
 * or an option without its value, is a UsageError that names the option (and `seeAlso`, where the
 * usage is written). `--name=value` and `--name value` both work; `--` ends the options.
 */
export function parseCli<const O extends Options>(
  argv: readonly string[],
  options: O,
  seeAlso: string,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...argv], options, strict: true as const, allowPositionals });
  } catch (e) {
    const { code, message } = e as { code?: string; message: string };
    const option = /'(-{1,2}[\w-]+)/.exec(message)?.[1] ?? "an option";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
      throw new UsageError(`unknown option ${option}; ${seeAlso}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
      throw new UsageError(`${option} needs a value; ${seeAlso}`);
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
      throw new UsageError(`unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ""}; ${seeAlso}`);
    throw new UsageError(`${message}; ${seeAlso}`);
  }
}

/** A whole number of at least 1 from an option's text, or a UsageError naming the option. */
export function positiveInteger(option: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} must be a whole number of at least 1`);
  return n;
}
