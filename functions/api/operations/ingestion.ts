/** Ingestion status: the last CUR processed and the committed version of each billing period. */
import { type Caller, requireMember } from "../domain";
import type { ApiDeps } from "../repository";
import { ok, type Result } from "./common";

export async function ingestionStatus(deps: ApiDeps, caller: Caller): Promise<Result> {
  requireMember(caller);
  const periods = await deps.repo.ingestionStatus();
  const latest = periods.reduce<(typeof periods)[number] | undefined>(
    (m, p) => (!m || p.committedAt > m.committedAt ? p : m),
    undefined,
  );
  return ok({ lastProcessed: latest ?? null, periods });
}
