import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import {
  PLATFORM_ENDPOINTS,
  SDK_CLIENT_ENDPOINTS,
  sdkClientImports,
  unreachableEndpoints,
  vpcEndpointServices,
} from "../../../contracts/endpoints";

/** Every TypeScript source of the functions (tests excluded): what gets bundled into a Lambda. */
function functionSources(dir = "functions"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return functionSources(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** client package → the files importing it. */
function importedClients(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of functionSources())
    for (const client of sdkClientImports(readFileSync(file, "utf8")))
      out.set(client, [...(out.get(client) ?? []), file]);
  return out;
}

describe("VPC endpoints cover every AWS API the functions call", () => {
  it("has an endpoint for every AWS SDK client a function imports", () => {
    const imported = importedClients();
    expect(imported.size).toBeGreaterThan(5); // the scan finds the imports at all
    const missing = [...imported]
      .filter(([client]) => SDK_CLIENT_ENDPOINTS[client] === undefined)
      .map(
        ([client, files]) =>
          `${client} (imported by ${files.join(", ")}) has no VPC endpoint: add it to SDK_CLIENT_ENDPOINTS in contracts/endpoints.ts`,
      );
    expect(missing).toEqual([]);
  });

  it("creates an endpoint for each client in the table", () => {
    const services = vpcEndpointServices().map((s) => s.service);
    for (const spec of Object.values(SDK_CLIENT_ENDPOINTS)) expect(services).toContain(spec.service);
    for (const spec of PLATFORM_ENDPOINTS) expect(services).toContain(spec.service);
    expect(new Set(services).size).toBe(services.length);
  });

  it("covers the services issue 8 and the functions need, S3 and DynamoDB as gateways", () => {
    const specs = vpcEndpointServices();
    expect(specs.filter((s) => s.gateway).map((s) => s.service)).toEqual(["dynamodb", "s3"]);
    expect(
      specs
        .filter((s) => !s.gateway)
        .map((s) => s.service)
        .sort(),
    ).toEqual(
      [
        "athena",
        "ce",
        "cloudformation",
        "cognito-idp",
        "events",
        "glue",
        "kms",
        "logs",
        "monitoring",
        "organizations",
        "secretsmanager",
        "sqs",
        "states",
        "sts",
        "xray",
      ].sort(),
    );
  });

  it("knows Organizations and Cost Explorer have endpoints in us-east-1 only", () => {
    expect(unreachableEndpoints("us-east-1")).toEqual([]);
    expect(
      unreachableEndpoints("eu-west-1")
        .map((s) => s.service)
        .sort(),
    ).toEqual(["ce", "organizations"]);
  });

  it("reads static, type-only, dynamic and require imports of SDK clients", () => {
    const src = [
      'import { S3Client } from "@aws-sdk/client-s3";',
      'import type { Tag } from "@aws-sdk/client-ssm";',
      "import {\n  LambdaClient,\n} from '@aws-sdk/client-lambda';",
      'const m = await import("@aws-sdk/client-sqs");',
      'const x = require("@aws-sdk/client-kms");',
      'import "@aws-sdk/client-iam";',
      'import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";',
    ].join("\n");
    expect(sdkClientImports(src)).toEqual([
      "@aws-sdk/client-iam",
      "@aws-sdk/client-kms",
      "@aws-sdk/client-lambda",
      "@aws-sdk/client-s3",
      "@aws-sdk/client-sqs",
      "@aws-sdk/client-ssm",
    ]);
  });

  it("would fail for a function importing a client without an endpoint (SSM, Lambda)", () => {
    for (const client of ["@aws-sdk/client-ssm", "@aws-sdk/client-lambda"])
      expect(SDK_CLIENT_ENDPOINTS[client]).toBeUndefined();
  });
});
