import { rmSync } from "node:fs";
import { stopLocalServices } from "../../emulator/moto-server";

/**
 * Stops the emulator only when the global setup started it (by its recorded PID), and removes the
 * temp state dir the setup made (never a FINOPS_TEST_LOCAL_DIR the caller gave).
 */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env.FINOPS_LOCAL_DIR;
  if (process.env.FINOPS_TEST_STARTED_MOTO === "1" && dir) {
    await stopLocalServices(dir);
  }
  if (process.env.FINOPS_TEST_OWN_DIR === "1" && dir) {
    rmSync(dir, { recursive: true, force: true });
  }
}
