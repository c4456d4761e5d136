import { createServer, type IncomingMessage, type Server } from "node:http";

/**
 * The local gap-filler: a small loopback service in front of moto that answers the few operations
 * the emulator lacks (each a named handler, listed in docs/local-emulator-gaps.md) and forwards
 * every other request to moto unchanged. The provider factory routes only the affected services'
 * endpoints here, and only in the local target. Its responses are emulation, not AWS.
 */
export interface GapRequest {
  readonly method: string;
  readonly path: string;
  /** SigV4 signing service from the Authorization header, e.g. "bcm-data-exports". */
  readonly service?: string;
  /** Signing region. */
  readonly region?: string;
  /** Access key id of the caller (moto maps assumed-role keys to accounts). */
  readonly accessKeyId?: string;
  /** X-Amz-Target of JSON-protocol APIs, e.g. "AWSBillingAndCostManagementDataExports.CreateExport". */
  readonly target?: string;
  /** Action of query-protocol APIs (form body), e.g. "PutCompositeAlarm". */
  readonly action?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface GapResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

export interface GapHandler {
  /** Shown in logs and docs: what is emulated. */
  readonly name: string;
  matches(req: GapRequest): boolean;
  handle(req: GapRequest, ctx: GapContext): Promise<GapResponse>;
}

export interface GapContext {
  /** Base URL of moto, for handlers that read or write through the real emulator (e.g. S3). */
  readonly motoEndpoint: string;
  /** Resolves the caller's account id from its access key (through moto's STS). */
  accountOf(req: GapRequest): Promise<string>;
}

export function parseRequest(req: IncomingMessage, body: Buffer): GapRequest {
  const auth = String(req.headers.authorization ?? "");
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
  const contentType = headers["content-type"] ?? "";
  const action = contentType.includes("x-www-form-urlencoded")
    ? (new URLSearchParams(body.toString("utf8")).get("Action") ?? undefined)
    : undefined;
  return {
    method: req.method ?? "GET",
    path: req.url ?? "/",
    accessKeyId: scope?.[1],
    region: scope?.[2],
    service: scope?.[3],
    target: headers["x-amz-target"],
    action,
    headers,
    body,
  };
}

/** JSON-protocol error in the shape the AWS SDKs (and the Terraform provider) decode. */
export function jsonError(status: number, type: string, message: string): GapResponse {
  return {
    status,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type },
    body: JSON.stringify({ __type: type, message, Message: message }),
  };
}

export function jsonOk(value: unknown): GapResponse {
  return {
    status: 200,
    headers: { "content-type": "application/x-amz-json-1.1" },
    body: JSON.stringify(value),
  };
}

async function forward(motoEndpoint: string, req: GapRequest): Promise<Response> {
  const headers = { ...req.headers };
  delete headers.host;
  delete headers["content-length"];
  return fetch(`${motoEndpoint}${req.path}`, {
    method: req.method,
    headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(req.body),
    redirect: "manual",
  });
}

export function makeContext(motoEndpoint: string): GapContext {
  const cache = new Map<string, string>();
  return {
    motoEndpoint,
    async accountOf(req) {
      const key = req.accessKeyId ?? "";
      const hit = cache.get(key);
      if (hit) return hit;
      const res = await fetch(`${motoEndpoint}/`, {
        method: "POST",
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "Action=GetCallerIdentity&Version=2011-06-15",
      });
      const account = /<Account>(\d{12})<\/Account>/.exec(await res.text())?.[1];
      if (!account) throw new Error(`the emulator did not resolve access key ${key}`);
      cache.set(key, account);
      return account;
    },
  };
}

/** Starts the gap-filler on 127.0.0.1:<port> with the given handlers. */
export function startGapFiller(
  port: number,
  motoEndpoint: string,
  handlers: readonly GapHandler[],
  log: (line: string) => void = () => {},
): Promise<Server> {
  const ctx = makeContext(motoEndpoint);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      try {
        const parsed = parseRequest(req, Buffer.concat(chunks));
        const handler = handlers.find((h) => h.matches(parsed));
        if (handler) {
          const out = await handler.handle(parsed, ctx);
          log(`${handler.name}: ${parsed.target ?? parsed.action ?? parsed.path} → ${out.status}`);
          res.writeHead(out.status, out.headers ?? {});
          res.end(out.body);
          return;
        }
        const upstream = await forward(motoEndpoint, parsed);
        const headers: Record<string, string> = {};
        upstream.headers.forEach((v, k) => {
          if (k !== "content-encoding" && k !== "transfer-encoding" && k !== "content-length") headers[k] = v;
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, headers);
        res.end(body);
      } catch (e) {
        const out = jsonError(500, "InternalFailure", `local gap-filler: ${(e as Error).message}`);
        res.writeHead(out.status, out.headers);
        res.end(out.body);
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
