import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * Control of the local AWS emulator: a moto server on loopback, started through our launcher
 * (emulator/moto/launcher.py) and stopped by the PID it recorded, never by name.
 */
export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /** True when this process started it (and so may stop it). */
  readonly startedHere: boolean;
  readonly pid?: number;
}

const LAUNCHER = path.join(__dirname, "moto", "launcher.py");

export function pidFile(localDir: string): string {
  return path.join(localDir, "moto.pid");
}

/**
 * True when an AWS emulator answers STS GetCallerIdentity on the endpoint (cheap, unlike moto's
 * state dump, which grows with every account's IAM managed policies).
 */
export async function isMotoUp(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/`, {
      method: "POST",
      headers: {
        authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
      signal: AbortSignal.timeout(3000),
    });
    return res.ok && (await res.text()).includes("GetCallerIdentityResult");
  } catch {
    return false;
  }
}

export async function waitForMoto(endpoint: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isMotoUp(endpoint)) return;
    if (child && child.exitCode !== null) {
      throw new Error(`moto_server exited with code ${child.exitCode} before answering; see its log`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`moto server at ${endpoint} did not answer within ${timeoutMs / 1000} s`);
}

/**
 * Starts the emulator on 127.0.0.1:<port> unless one already answers there. The PID goes to
 * <localDir>/moto.pid and the log to <localDir>/moto.log.
 */
export async function ensureMoto(port: number, localDir: string): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  if (await isMotoUp(endpoint)) {
    const pid = existsSync(pidFile(localDir)) ? Number(readFileSync(pidFile(localDir), "utf8")) : undefined;
    return { endpoint, port, startedHere: false, pid };
  }
  mkdirSync(localDir, { recursive: true });
  const python = process.env.FINOPS_PYTHON || "python3";
  const log = openSync(path.join(localDir, "moto.log"), "a");
  const child = spawn(python, [LAUNCHER, String(port)], {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" },
  });
  closeSync(log);
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (e) =>
      reject(new Error(`could not start ${python} (${e.message}); install python3 with moto[server] 5.x (pip install 'moto[server]')`)),
    ),
  );
  await Promise.race([waitForMoto(endpoint, 30_000, child), spawnError]);
  child.unref();
  writeFileSync(pidFile(localDir), String(child.pid));
  return { endpoint, port, startedHere: true, pid: child.pid };
}

/** Stops the emulator this project started (by its recorded PID). Returns what it did. */
export async function stopMoto(localDir: string): Promise<string> {
  const file = pidFile(localDir);
  if (!existsSync(file)) return "no emulator started by finops-landing is recorded";
  const pid = Number(readFileSync(file, "utf8"));
  rmSync(file);
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return `emulator (pid ${pid}) was not running`;
  }
  for (let i = 0; i < 40; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return `stopped the emulator (pid ${pid})`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, "SIGKILL");
  return `killed the emulator (pid ${pid})`;
}
