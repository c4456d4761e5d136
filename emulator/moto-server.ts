import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import * as path from "node:path";

/**
 * Control of the local AWS: a moto server on loopback, started through our launcher
 * (emulator/moto/launcher.py), and the gap-filler in front of it (emulator/gap-filler). Both run
 * detached, record their PIDs under the local directory and are stopped by those PIDs, never by name.
 */
export interface LocalService {
  readonly endpoint: string;
  readonly port: number;
  /** True when this process started it. */
  readonly startedHere: boolean;
  readonly pid?: number;
}
export type MotoServer = LocalService;

const LAUNCHER = path.join(__dirname, "moto", "launcher.py");
const GAP_FILLER_MAIN = path.join(__dirname, "gap-filler", "main.ts");
const TSX = path.join(__dirname, "..", "node_modules", ".bin", "tsx");

/**
 * True when an AWS emulator answers STS GetCallerIdentity on the endpoint (cheap, unlike moto's
 * state dump, which grows with every account's IAM managed policies).
 */
export async function isMotoUp(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/`, {
      method: "POST",
      headers: {
        authorization:
          "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0",
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

/** True when something accepts TCP connections on 127.0.0.1:<port>. */
export function isListening(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function ensureDetached(
  name: string,
  port: number,
  localDir: string,
  command: string,
  args: string[],
  installHint: string,
): Promise<LocalService> {
  const endpoint = `http://127.0.0.1:${port}`;
  const pidPath = path.join(localDir, `${name}.pid`);
  const running = (): LocalService => {
    const pid = existsSync(pidPath) ? Number(readFileSync(pidPath, "utf8")) : undefined;
    return { endpoint, port, startedHere: false, pid };
  };
  if (await isMotoUp(endpoint)) return running();
  // Something already listens there but did not answer within the health check's 3 s (a busy
  // machine): wait for it instead of starting a second server and overwriting the recorded PID.
  if (await isListening(port)) {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (await isMotoUp(endpoint)) return running();
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(
      `something listens on ${endpoint} but does not answer as the ${name} within 60 s; stop it, or choose another port (FINOPS_MOTO_PORT / FINOPS_GAPS_PORT)`,
    );
  }
  mkdirSync(localDir, { recursive: true });
  const logPath = path.join(localDir, `${name}.log`);
  const log = openSync(logPath, "a");
  const child = spawn(command, args, {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" },
  });
  closeSync(log);
  let spawnError: Error | undefined;
  child.once("error", (e) => {
    spawnError = new Error(`could not start ${name} with ${command} (${e.message}); ${installHint}`);
  });
  const deadline = Date.now() + 30_000;
  while (!(await isMotoUp(endpoint))) {
    if (spawnError) throw spawnError;
    if (child.exitCode !== null) {
      throw new Error(
        `${name} exited with code ${child.exitCode} before answering on ${endpoint}; see ${logPath}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(`${name} did not answer on ${endpoint} within 30 s; see ${logPath}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  child.unref();
  writeFileSync(pidPath, String(child.pid));
  return { endpoint, port, startedHere: true, pid: child.pid };
}

/** Starts the emulator on 127.0.0.1:<port> unless one already answers there. */
export function ensureMoto(port: number, localDir: string): Promise<LocalService> {
  const python = process.env.FINOPS_PYTHON || "python3";
  return ensureDetached(
    "moto",
    port,
    localDir,
    python,
    [LAUNCHER, String(port)],
    "install python3 and moto[server] 5.x",
  );
}

/** Starts the gap-filler on 127.0.0.1:<port> in front of the emulator, unless one already answers there. */
export function ensureGapFiller(port: number, motoEndpoint: string, localDir: string): Promise<LocalService> {
  return ensureDetached(
    "gap-filler",
    port,
    localDir,
    TSX,
    [GAP_FILLER_MAIN, String(port), motoEndpoint],
    "run npm ci",
  );
}

async function stopPid(localDir: string, name: string): Promise<string> {
  const file = path.join(localDir, `${name}.pid`);
  if (!existsSync(file)) return `no ${name} started by finops-landing is recorded`;
  const pid = Number(readFileSync(file, "utf8"));
  rmSync(file);
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return `${name} (pid ${pid}) was not running`;
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return `stopped ${name} (pid ${pid})`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return `stopped ${name} (pid ${pid})`; // it exited between the last check and the kill
  }
  return `killed ${name} (pid ${pid})`;
}

/** Stops what this project started (gap-filler, then moto), by recorded PID. */
export async function stopLocalServices(localDir: string): Promise<string[]> {
  return [await stopPid(localDir, "gap-filler"), await stopPid(localDir, "moto")];
}
