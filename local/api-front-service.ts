/**
 * The local API front as a background service of `npm run local`: started detached (as the emulator
 * and the gap-filler are, emulator/moto-server.ts), its PID recorded under the local directory, and
 * stopped by that PID, never by name. `npm run local` restarts it, so it always serves the landing
 * just applied (a new emulator has a new user pool id).
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const MAIN = path.join(__dirname, "api-front-main.ts");
const TSX = path.join(__dirname, "..", "node_modules", ".bin", "tsx");
const NAME = "api-front";

export interface ApiFrontService {
  readonly url: string;
  readonly pid: number;
  readonly logPath: string;
}

/** True when the front answers on the URL: any /api request gets an HTTP answer (404 or 401). */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 404;
  } catch {
    return false;
  }
}

/** Starts the front in the background on 127.0.0.1:<port> (stopping the one this project started before). */
export async function startApiFrontService(o: {
  readonly port: number;
  readonly localDir: string;
  readonly env?: NodeJS.ProcessEnv;
}): Promise<ApiFrontService> {
  await stopApiFrontService(o.localDir);
  const url = `http://127.0.0.1:${o.port}`;
  if (await answers(url))
    throw new Error(
      `something already answers on ${url} and it is not the front this project started; stop it, or choose another port (FINOPS_FRONT_PORT)`,
    );
  mkdirSync(o.localDir, { recursive: true });
  const logPath = path.join(o.localDir, `${NAME}.log`);
  const log = openSync(logPath, "a");
  const child = spawn(TSX, [MAIN], {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...(o.env ?? process.env), FINOPS_FRONT_PORT: String(o.port) },
  });
  closeSync(log);
  let spawnError: Error | undefined;
  child.once("error", (e) => {
    spawnError = new Error(`could not start the API front with ${TSX} (${e.message}); run npm ci`);
  });
  const deadline = Date.now() + 60_000;
  while (!(await answers(url))) {
    if (spawnError) throw spawnError;
    if (child.exitCode !== null)
      throw new Error(
        `the API front exited with code ${child.exitCode} before answering on ${url}; see ${logPath}`,
      );
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`the API front did not answer on ${url} within 60 s; see ${logPath}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.unref();
  writeFileSync(path.join(o.localDir, `${NAME}.pid`), String(child.pid));
  return { url, pid: child.pid!, logPath };
}

/** Stops the front this project started (by its recorded PID); says what it did. */
export async function stopApiFrontService(localDir: string): Promise<string> {
  const file = path.join(localDir, `${NAME}.pid`);
  if (!existsSync(file)) return `no ${NAME} started by finops-landing is recorded`;
  const pid = Number(readFileSync(file, "utf8"));
  rmSync(file);
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return `${NAME} (pid ${pid}) was not running`;
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return `stopped ${NAME} (pid ${pid})`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return `stopped ${NAME} (pid ${pid})`;
  }
  return `killed ${NAME} (pid ${pid})`;
}
