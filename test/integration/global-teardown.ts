import { stopLocalServices } from "../../emulator/moto-server";

/** Stops the emulator only when the global setup started it (by its recorded PID). */
export default async function globalTeardown(): Promise<void> {
  if (process.env.FINOPS_TEST_STARTED_MOTO === "1" && process.env.FINOPS_LOCAL_DIR) {
    await stopLocalServices(process.env.FINOPS_LOCAL_DIR);
  }
}
