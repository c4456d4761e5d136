import { createHash, createHmac } from "node:crypto";
import type { AccountClientConfig } from "./aws-clients";

/**
 * A minimal AWS Data Exports (bcm-data-exports) JSON client for the harness and tests: the AWS SDK
 * v3 client for this service is not a dependency. Requests are SigV4-signed with the caller's
 * (emulator) credentials, so the local gap-filler resolves the calling account as AWS would.
 */
const sha256hex = (data: string): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();

function sigV4Headers(
  url: URL,
  body: string,
  headers: Record<string, string>,
  creds: AccountClientConfig["credentials"],
  region: string,
  service: string,
  now = new Date(),
): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const all: Record<string, string> = {
    ...headers,
    host: url.host,
    "x-amz-date": amzDate,
    ...(creds.sessionToken ? { "x-amz-security-token": creds.sessionToken } : {}),
  };
  const names = Object.keys(all)
    .map((k) => k.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonical = [
    "POST",
    "/",
    "",
    ...names.map((n) => `${n}:${lower[n]}`),
    "",
    names.join(";"),
    sha256hex(body),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonical)].join("\n");
  const key = [day, region, service, "aws4_request"].reduce<Buffer | string>(
    (k, part) => hmac(k, part),
    `AWS4${creds.secretAccessKey}`,
  );
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  return {
    ...all,
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
}

export interface DataExportSummary {
  readonly ExportArn: string;
  readonly ExportName: string;
}

export interface DataExportDefinition {
  readonly ExportArn: string;
  readonly Name: string;
  readonly DataQuery: {
    readonly QueryStatement: string;
    readonly TableConfigurations?: Record<string, Record<string, string>>;
  };
  readonly DestinationConfigurations: {
    readonly S3Destination: {
      readonly S3Bucket: string;
      readonly S3Prefix: string;
      readonly S3Region: string;
      readonly S3OutputConfigurations: Record<string, string>;
    };
  };
  readonly RefreshCadence: { readonly Frequency: string };
}

export async function dataExportsCall<T>(
  endpoint: string,
  client: Pick<AccountClientConfig, "credentials">,
  operation: string,
  body: Record<string, unknown>,
): Promise<T> {
  const url = new URL(endpoint);
  const payload = JSON.stringify(body);
  const headers = sigV4Headers(
    url,
    payload,
    {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSBillingAndCostManagementDataExports.${operation}`,
    },
    client.credentials,
    "us-east-1",
    "bcm-data-exports",
  );
  delete headers.host;
  const res = await fetch(`${endpoint}/`, { method: "POST", headers, body: payload });
  const text = await res.text();
  if (!res.ok) throw new Error(`Data Exports ${operation} failed with HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Every export of the calling account with its full definition. */
export async function listExportDefinitions(
  endpoint: string,
  client: Pick<AccountClientConfig, "credentials">,
): Promise<DataExportDefinition[]> {
  const list = await dataExportsCall<{ Exports: DataExportSummary[] }>(endpoint, client, "ListExports", {});
  const out: DataExportDefinition[] = [];
  for (const e of list.Exports) {
    const got = await dataExportsCall<{ Export: DataExportDefinition }>(endpoint, client, "GetExport", {
      ExportArn: e.ExportArn,
    });
    out.push(got.Export);
  }
  return out;
}
