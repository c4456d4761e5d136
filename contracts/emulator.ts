/**
 * The local target's emulator layout, as plain data: which provider endpoint keys the gap-filler
 * serves (the rest go straight to moto), and the default ports. The local target's provider
 * factory (config/target.ts) and the gap-filler itself (emulator/gap-filler/handlers.ts, one
 * handler per service here) both read it; docs/local-emulator-gaps.md says why each is filled.
 */

/** Provider endpoint keys routed to the gap-filler (the rest go straight to moto). */
export const GAP_FILLED_SERVICES: readonly string[] = [
  "bcmdataexports",
  "budgets",
  "sfn",
  "cloudwatchlogs",
  "organizations",
];

/** Default loopback port of the local emulator; FINOPS_MOTO_PORT overrides it. */
export const DEFAULT_MOTO_PORT = 4599;
