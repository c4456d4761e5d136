/**
 * cdktf 0.21 captures a complete stack trace (Error.stackTraceLimit = MAX_SAFE_INTEGER) for every
 * token it creates (`Intrinsic.creationStack`, cdktf/lib/tokens/private/intrinsic.js) and keeps it
 * as an array of strings, read only to decorate a token-resolution error. A landing creates
 * hundreds of tokens per member stack: at 5,000 members that capture is most of the synth's time and
 * about two thirds of its memory (2,565 MB peak against 912 MB without it;
 * bench/results/synth-token-traces-on.md against synth.md). The synthesized JSON is the same either way (the
 * trace is never written), which test/unit/deploy/token-traces.test.ts checks.
 *
 * This replaces the capture with an empty trace for the process. It patches a private module of
 * the pinned cdktf version (package-lock.json); the test fails if that module moves, so an
 * upgrade cannot silently lose the saving. FINOPS_TOKEN_TRACES=on keeps cdktf's traces, for
 * debugging a "Resolution error" whose creation stack you want to see.
 */
export const TOKEN_TRACES_ENV = "FINOPS_TOKEN_TRACES";

interface StackTraceModule {
  captureStackTrace: (below?: unknown) => string[];
}

const STACK_TRACE_MODULE = "cdktf/lib/tokens/private/stack-trace";

/** Turns cdktf's token stack traces off unless FINOPS_TOKEN_TRACES=on; returns whether they are off. */
export function disableTokenStackTraces(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env[TOKEN_TRACES_ENV] === "on") return false;
  const mod = require(STACK_TRACE_MODULE) as StackTraceModule;
  mod.captureStackTrace = noTrace;
  return true;
}

function noTrace(): string[] {
  return [];
}
