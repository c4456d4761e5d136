import { mkdtempSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureGapFiller, ensureMoto } from "../../emulator/moto-server";

/**
 * Starts one emulator for the integration run on its own port (FINOPS_TEST_MOTO_PORT, default 4598),
 * so tests never touch a `npm run local` organization on the default port. State goes to a temp dir.
 */
export default async function globalSetup(): Promise<void> {
  const port = Number(process.env.FINOPS_TEST_MOTO_PORT || 4598);
  const dir = process.env.FINOPS_TEST_LOCAL_DIR || mkdtempSync(path.join(os.tmpdir(), "finops-it-"));
  const moto = await ensureMoto(port, dir);
  const gaps = await ensureGapFiller(port + 1, moto.endpoint, dir);
  process.env.FINOPS_MOTO_PORT = String(port);
  process.env.FINOPS_GAPS_PORT = String(gaps.port);
  process.env.FINOPS_LOCAL_DIR = dir;
  process.env.FINOPS_TEST_STARTED_MOTO = moto.startedHere || gaps.startedHere ? "1" : "";
  process.env.FINOPS_TEST_OWN_DIR = process.env.FINOPS_TEST_LOCAL_DIR ? "" : "1";
}
