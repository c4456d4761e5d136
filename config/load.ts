import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type Document, isAlias, isMap, isScalar, LineCounter, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { type ConfigIssue, checkCrossReferences, type Section } from "./rules";
import { type AccountConfig, accountConfigSchema } from "./schema";

/** The config every command uses unless FINOPS_CONFIG names another: the emulated organization. */
export const DEFAULT_CONFIG_FILE = "accounts/local.yaml";

/** A config that failed validation. `issues` carries every problem, each with its location. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ReadonlyArray<LocatedIssue>,
  ) {
    const n = issues.length;
    super(
      `${file}: ${n} error${n === 1 ? "" : "s"} in the account config:\n${issues.map((i) => `  - ${i.text}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

export interface LocatedIssue extends ConfigIssue {
  readonly line?: number;
  readonly column?: number;
  /** `file:line:col path: message`, the form every error is printed in. */
  readonly text: string;
}

/** `members[2].id` from ["members", 2, "id"]. */
export function formatPath(p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>(
    (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
    "",
  );
}

/** Generic messages for checks that carry no message of their own; each says what to write instead. */
const parseErrorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case "invalid_type":
      if (iss.input === undefined) return "is required";
      return `must be ${iss.expected === "array" ? "a list" : iss.expected === "object" ? "a mapping of keys" : `a ${iss.expected}`}, not ${Array.isArray(iss.input) ? "a list" : iss.input === null ? "empty" : `a ${typeof iss.input}`} (${JSON.stringify(iss.input)})`;
    case "invalid_value":
      return `${JSON.stringify(iss.input)} is not allowed; use one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return iss.origin === "array" ? `must list at least ${iss.minimum}` : `must be at least ${iss.minimum}`;
    case "too_big":
      return `must be at most ${iss.maximum}`;
    default:
      return undefined;
  }
};

/** The keys a strict object at `p` accepts, for "did you mean" hints on unknown keys. */
function allowedKeysAt(p: ReadonlyArray<PropertyKey>): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: walking zod's own schema tree
  let s: any = accountConfigSchema;
  const unwrap = () => {
    while (s?._zod?.def?.innerType) s = s._zod.def.innerType; // optional, default, nullable
  };
  for (const key of p) {
    unwrap();
    s = typeof key === "number" ? s?.element : s?.shape?.[key as string];
  }
  unwrap();
  return s?.shape ? Object.keys(s.shape) : [];
}

function closest(word: string, options: string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i]![j] = Math.min(
          d[i - 1]![j]! + 1,
          d[i]![j - 1]! + 1,
          d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
    return d[a.length]![b.length]!;
  };
  const best = options
    .map((o) => ({ o, d: dist(word.toLowerCase(), o.toLowerCase()) }))
    .sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.o : undefined;
}

function zodIssues(error: z.ZodError): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const iss of error.issues) {
    if (iss.code === "unrecognized_keys") {
      const allowed = allowedKeysAt(iss.path);
      for (const key of iss.keys) {
        const guess = closest(key, allowed);
        out.push({
          path: [...(iss.path as (string | number)[]), key],
          message: `unknown key${guess ? `; did you mean "${guess}"?` : ";"} remove it or use one of: ${allowed.join(", ")}`,
        });
      }
    } else {
      out.push({ path: iss.path as (string | number)[], message: iss.message });
    }
  }
  return out;
}

function locate(
  doc: Document,
  lines: LineCounter,
  p: ReadonlyArray<string | number>,
): { line?: number; column?: number } {
  // Walk as deep as the document goes; for a missing key, point at its parent.
  for (let depth = p.length; depth >= 0; depth--) {
    const parentPath = p.slice(0, Math.max(0, depth - 1));
    const key = p[depth - 1];
    const parent = depth === 0 ? doc.contents : doc.getIn(parentPath, true);
    let offset: number | undefined;
    if (depth === 0) {
      offset = doc.contents?.range?.[0];
    } else if (isMap(parent)) {
      const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === key);
      offset = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    } else {
      const node = doc.getIn([...parentPath, key!], true) as { range?: [number, number, number] } | undefined;
      offset = node?.range?.[0];
    }
    if (offset !== undefined) {
      const pos = lines.linePos(offset);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

function withLocation(file: string, doc: Document, lines: LineCounter, issue: ConfigIssue): LocatedIssue {
  const { line, column } = locate(doc, lines, issue.path);
  const where = line !== undefined ? `${file}:${line}:${column}` : file;
  const at = formatPath(issue.path);
  return { ...issue, line, column, text: `${where} ${at || "(document)"}: ${issue.message}` };
}

/** YAML aliases one document may expand: a real config has a handful; an alias bomb has millions. */
export const MAX_ALIAS_COUNT = 100;

/** Where the first alias (*name) of the document is, for the alias-bomb error. */
function firstAlias(doc: Document, lines: LineCounter): { line?: number; column?: number } {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node) && node.range) {
        offset = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (offset === undefined) return {};
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function documentError(
  file: string,
  at: { line?: number; column?: number },
  label: string,
  message: string,
): ConfigError {
  const where = at.line !== undefined ? `${file}:${at.line}:${at.column}` : file;
  return new ConfigError(file, [{ path: [], message, ...at, text: `${where} ${label}: ${message}` }]);
}

/**
 * Layer 1 per top-level section, for a document that failed as a whole: the sections that are
 * valid on their own (defaults filled in), so that layer 2 can still check those.
 */
function validSections(data: Record<string, unknown>): { config: AccountConfig; valid: Set<Section> } {
  const config: Record<string, unknown> = {};
  const valid = new Set<Section>();
  for (const [key, schema] of Object.entries(accountConfigSchema.shape)) {
    const r = (schema as z.ZodType).safeParse(data[key]);
    if (r.success) {
      config[key] = r.data;
      valid.add(key as Section);
    }
  }
  if (valid.has("members")) {
    valid.add("members:each");
  } else if (Array.isArray(data.members)) {
    // One member at a time: the valid ones keep their index, the others leave a hole.
    // biome-ignore lint/suspicious/noExplicitAny: unwrapping zod's default to reach the element schema
    const element = (accountConfigSchema.shape.members as any)._zod.def.innerType.element as z.ZodType;
    const members: unknown[] = [];
    members.length = data.members.length;
    data.members.forEach((m, i) => {
      const r = element.safeParse(m);
      if (r.success) members[i] = r.data;
    });
    config.members = members;
    valid.add("members:each");
  }
  return { config: config as AccountConfig, valid };
}

/**
 * Parses and validates a config from text. Throws ConfigError listing every problem at once;
 * returns the config with defaults filled in only when it is valid as a whole.
 */
export function parseAccountConfig(text: string, file: string): AccountConfig {
  if (text.includes("\u0000")) {
    throw documentError(
      file,
      { line: 1, column: 1 },
      "(file)",
      "is not a text file (it contains NUL bytes); give the YAML account config (see accounts/example.yaml)",
    );
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
        const message = `${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}; fix the YAML syntax here`;
        return { path: [], message, line: pos?.line, column: pos?.col, text: `${where} (yaml): ${message}` };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml refuses a document whose aliases expand past maxAliasCount (billion laughs).
    const excessive = /alias/i.test((e as Error).message);
    throw documentError(
      file,
      excessive ? firstAlias(doc, lines) : {},
      "(yaml)",
      excessive
        ? `expands YAML aliases (*name) past ${MAX_ALIAS_COUNT} references, which looks like an alias bomb; write the values out or use fewer aliases`
        : `could not be read as YAML (${(e as Error).message}); fix the YAML here`,
    );
  }
  if (data === null || data === undefined) {
    throw documentError(
      file,
      { line: 1, column: 1 },
      "(document)",
      "is empty (no YAML content); it must be a mapping with organization, payer, admin and members (see accounts/example.yaml)",
    );
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    const issue = {
      path: [],
      message: "must be a mapping with organization, payer, admin and members (see accounts/example.yaml)",
    };
    throw new ConfigError(file, [withLocation(file, doc, lines, issue)]);
  }
  const parsed = accountConfigSchema.safeParse(data, { error: parseErrorMap, reportInput: true });
  let issues: ConfigIssue[];
  if (parsed.success) {
    issues = checkCrossReferences(parsed.data);
  } else {
    // All errors at once: the rules over the sections that are valid still run.
    const { config, valid } = validSections(data as Record<string, unknown>);
    const seen = new Set<string>();
    issues = [...zodIssues(parsed.error), ...checkCrossReferences(config, valid)].filter((i) => {
      const key = `${formatPath(i.path)}\u0000${i.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  if (issues.length > 0) {
    throw new ConfigError(
      file,
      issues.map((i) => withLocation(file, doc, lines, i)),
    );
  }
  return parsed.data!;
}

/** Reads and validates one config file; `file` is shown in errors relative to the working directory. */
export function loadAccountConfig(file: string): AccountConfig {
  const shown = path.relative(process.cwd(), path.resolve(file)) || file;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, not a file"
          : code === "EACCES" || code === "EPERM"
            ? "cannot be read (permission denied); make it readable"
            : `cannot be read (${code ?? (e as Error).message})`;
    throw new ConfigError(shown, [
      {
        path: [],
        message: reason,
        text: `${shown}: ${reason}; set FINOPS_CONFIG to a file under accounts/ (e.g. accounts/example.yaml)`,
      },
    ]);
  }
  return parseAccountConfig(text, shown);
}

/** The config file in effect: FINOPS_CONFIG, or the local organization. */
/**
 * The one line a command prints when it fails: a ConfigError's located issues as they are, an
 * error of one of the `located` classes (errors whose message already names what and where) as it
 * is, anything else prefixed with `context` (the command or the file). Never a stack trace.
 */
export function failureMessage(
  e: unknown,
  context: string,
  ...located: ReadonlyArray<abstract new (...args: never[]) => Error>
): string {
  if (e instanceof ConfigError || located.some((c) => e instanceof c)) return (e as Error).message;
  return `${context}: ${e instanceof Error ? e.message : String(e)}`;
}

export function configFileFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.FINOPS_CONFIG?.trim() || DEFAULT_CONFIG_FILE;
}
