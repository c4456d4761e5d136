/**
 * Captures what a function writes to stdout while `fn` runs, as Lambda would hand it to CloudWatch
 * Logs: Powertools writes its JSON log lines and its EMF metric records there (one JSON object per
 * line), its warnings and errors to stderr. Nothing reaches the test output meanwhile.
 */
export interface Captured {
  /** Every JSON line written to stdout. */
  readonly lines: Record<string, unknown>[];
  /** Every JSON line written to stderr (Powertools logs warnings and errors there). */
  readonly errorLines: Record<string, unknown>[];
  /** The EMF records among them (objects with an `_aws.CloudWatchMetrics` block). */
  readonly emf: EmfRecord[];
}

export interface EmfRecord {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: {
      readonly Namespace: string;
      readonly Dimensions: string[][];
      readonly Metrics: { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

const jsonLines = (chunks: string[]): Record<string, unknown>[] =>
  chunks
    .join("")
    .split("\n")
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function record(stream: NodeJS.WriteStream, into: string[]) {
  return jest.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
    into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  });
}

export async function captureStdout<T>(fn: () => Promise<T>): Promise<Captured & { result: T }> {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [record(process.stdout, out), record(process.stderr, err)];
  let result: T;
  try {
    result = await fn();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  const lines = jsonLines(out);
  const emf = lines.filter((l): l is EmfRecord => typeof l._aws === "object" && l._aws !== null);
  return { lines, errorLines: jsonLines(err), emf, result };
}

/** Loads a function's module as a cold start would: with `env` set, in a fresh module registry. */
export function coldStart<M>(modulePath: string, env: Record<string, string>): M {
  const saved = process.env;
  process.env = { ...saved, ...env };
  try {
    let loaded: M | undefined;
    jest.isolateModules(() => {
      loaded = require(modulePath) as M;
    });
    return loaded!;
  } finally {
    process.env = saved;
  }
}
