import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ensureMoto, isListening } from "../../../emulator/moto-server";

/**
 * Starting the emulator must never start a second one on a busy machine: an emulator that answers
 * slower than the 3 s health check is waited for, not replaced (which would overwrite its recorded
 * PID). A stand-in HTTP server plays the slow emulator: it answers STS GetCallerIdentity as moto does.
 */
function slowStsServer(firstDelayMs: number): Promise<Server> {
  let calls = 0;
  const server = createServer((_req, res) => {
    const delay = calls++ === 0 ? firstDelayMs : 0;
    setTimeout(() => {
      res.writeHead(200, { "content-type": "text/xml" });
      res.end("<GetCallerIdentityResponse><GetCallerIdentityResult/></GetCallerIdentityResponse>");
    }, delay);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("ensureMoto on a busy machine", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "moto-server-unit-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("waits for a listening emulator that answers late instead of starting another", async () => {
    const server = await slowStsServer(3500);
    const { port } = server.address() as AddressInfo;
    try {
      const moto = await ensureMoto(port, dir);
      expect(moto).toMatchObject({ port, startedHere: false });
    } finally {
      server.close();
    }
  }, 20_000);

  it("tells a listening port from a closed one", async () => {
    const server = await slowStsServer(0);
    const { port } = server.address() as AddressInfo;
    expect(await isListening(port)).toBe(true);
    await new Promise((r) => server.close(r));
    expect(await isListening(port)).toBe(false);
  });
});
