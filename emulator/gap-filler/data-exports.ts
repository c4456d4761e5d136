import { randomUUID } from "node:crypto";
import {
  type GapContext,
  type GapHandler,
  type GapRequest,
  type GapResponse,
  jsonError,
  jsonOk,
} from "./server";

/**
 * EMULATION of AWS Data Exports (bcm-data-exports, JSON 1.1, target prefix
 * AWSBillingAndCostManagementDataExports): the operations the Terraform provider's
 * aws_bcmdataexports_export calls (CreateExport, GetExport, UpdateExport, DeleteExport,
 * ListExports, TagResource, UntagResource, ListTagsForResource). moto has no Data Exports API.
 *
 * State is in memory, per account (the caller's account resolved through moto's STS), and lives
 * as long as the gap-filler process, which `npm run local` keeps running between runs.
 * It stores and returns definitions; it delivers nothing: the harness writes the CUR month the
 * export would deliver (emulator/cur/generator.ts) at the destination read back from GetExport.
 */
export const DATA_EXPORTS_TARGET_PREFIX = "AWSBillingAndCostManagementDataExports.";

/** Tables a query may select FROM, with the partitioning AWS delivers them by. */
const TABLES = new Set([
  "COST_AND_USAGE_REPORT",
  "FOCUS_1_0_AWS",
  "FOCUS_1_2_AWS",
  "COST_OPTIMIZATION_RECOMMENDATIONS",
  "CARBON_EMISSIONS",
]);

interface Tag {
  Key: string;
  Value: string;
}

interface ExportDefinition {
  ExportArn?: string;
  Name: string;
  Description?: string;
  DataQuery: { QueryStatement: string; TableConfigurations?: Record<string, Record<string, string>> };
  DestinationConfigurations: {
    S3Destination: {
      S3Bucket: string;
      S3Prefix: string;
      S3Region: string;
      S3OutputConfigurations: { OutputType: string; Format: string; Compression: string; Overwrite: string };
    };
  };
  RefreshCadence: { Frequency: string };
}

interface StoredExport {
  export: ExportDefinition & { ExportArn: string };
  createdAt: number;
  updatedAt: number;
  tags: Map<string, string>;
}

class ValidationError extends Error {}

function validate(e: unknown): ExportDefinition {
  const x = e as Partial<ExportDefinition> | undefined;
  if (!x || typeof x !== "object") throw new ValidationError("Export is required");
  if (!x.Name || !/^[0-9A-Za-z!\-_.*'()]{1,128}$/.test(x.Name))
    throw new ValidationError(
      `Export.Name "${x.Name ?? ""}" must be 1-128 characters of [0-9A-Za-z!-_.*'()]`,
    );
  const q = x.DataQuery?.QueryStatement;
  if (!q) throw new ValidationError("Export.DataQuery.QueryStatement is required");
  const from = /^\s*SELECT\s+[\s\S]+?\s+FROM\s+([A-Z0-9_]+)\s*$/i.exec(q);
  if (!from || !TABLES.has(from[1]!.toUpperCase()))
    throw new ValidationError(
      `Export.DataQuery.QueryStatement must be SELECT <columns> FROM <table> with a table of ${[...TABLES].join(", ")}`,
    );
  const s3 = x.DestinationConfigurations?.S3Destination;
  if (!s3?.S3Bucket || s3.S3Prefix === undefined || !s3.S3Region || !s3.S3OutputConfigurations)
    throw new ValidationError(
      "Export.DestinationConfigurations.S3Destination needs S3Bucket, S3Prefix, S3Region and S3OutputConfigurations",
    );
  if (!x.RefreshCadence?.Frequency) throw new ValidationError("Export.RefreshCadence.Frequency is required");
  return x as ExportDefinition;
}

function statusOf(s: StoredExport): Record<string, unknown> {
  // Data Exports serialises timestamps as ISO 8601 strings (the SDKs refuse epoch numbers here).
  const t = new Date(s.updatedAt).toISOString();
  return {
    StatusCode: "HEALTHY",
    CreatedAt: new Date(s.createdAt).toISOString(),
    LastUpdatedAt: t,
    LastRefreshedAt: t,
  };
}

/** The Data Exports handler with its own in-memory state (one per gap-filler process). */
export function createDataExportsHandler(now: () => number = Date.now): GapHandler & {
  /** Exports of an account, for the harness and tests (the same view GetExport gives). */
  exportsOf(accountId: string): (ExportDefinition & { ExportArn: string })[];
} {
  const byAccount = new Map<string, Map<string, StoredExport>>();
  const store = (account: string): Map<string, StoredExport> => {
    let m = byAccount.get(account);
    if (!m) {
      m = new Map();
      byAccount.set(account, m);
    }
    return m;
  };
  const find = (account: string, arn: unknown): StoredExport => {
    const hit = typeof arn === "string" ? store(account).get(arn) : undefined;
    if (!hit) throw Object.assign(new Error(`Export ${String(arn)} not found`), { notFound: true });
    return hit;
  };

  const operations: Record<
    string,
    (account: string, body: Record<string, unknown>, req: GapRequest) => unknown
  > = {
    CreateExport(account, body, req) {
      const def = validate(body.Export);
      const exports = store(account);
      if ([...exports.values()].some((s) => s.export.Name === def.Name))
        throw new ValidationError(`An export named ${def.Name} already exists`);
      const arn = `arn:aws:bcm-data-exports:${req.region ?? "us-east-1"}:${account}:export/${def.Name}-${randomUUID()}`;
      const t = now();
      const tags = new Map(((body.ResourceTags as Tag[] | undefined) ?? []).map((x) => [x.Key, x.Value]));
      exports.set(arn, { export: { ...def, ExportArn: arn }, createdAt: t, updatedAt: t, tags });
      return { ExportArn: arn };
    },
    GetExport(account, body) {
      const s = find(account, body.ExportArn);
      return { Export: s.export, ExportStatus: statusOf(s) };
    },
    UpdateExport(account, body) {
      const s = find(account, body.ExportArn);
      const def = validate(body.Export);
      if (def.Name !== s.export.Name) throw new ValidationError("Export.Name cannot be changed");
      s.export = { ...def, ExportArn: s.export.ExportArn };
      s.updatedAt = now();
      return { ExportArn: s.export.ExportArn };
    },
    DeleteExport(account, body) {
      const s = find(account, body.ExportArn);
      store(account).delete(s.export.ExportArn);
      return { ExportArn: s.export.ExportArn };
    },
    ListExports(account) {
      return {
        Exports: [...store(account).values()].map((s) => ({
          ExportArn: s.export.ExportArn,
          ExportName: s.export.Name,
          ExportStatus: statusOf(s),
        })),
      };
    },
    ListTagsForResource(account, body) {
      const s = find(account, body.ResourceArn);
      return { ResourceTags: [...s.tags.entries()].map(([Key, Value]) => ({ Key, Value })) };
    },
    TagResource(account, body) {
      const s = find(account, body.ResourceArn);
      for (const t of (body.ResourceTags as Tag[] | undefined) ?? []) s.tags.set(t.Key, t.Value);
      return {};
    },
    UntagResource(account, body) {
      const s = find(account, body.ResourceArn);
      for (const k of (body.ResourceTagKeys as string[] | undefined) ?? []) s.tags.delete(k);
      return {};
    },
  };

  return {
    name: "data-exports (emulated AWS Data Exports)",
    matches: (req) => req.target?.startsWith(DATA_EXPORTS_TARGET_PREFIX) ?? false,
    async handle(req: GapRequest, ctx: GapContext): Promise<GapResponse> {
      const op = req.target!.slice(DATA_EXPORTS_TARGET_PREFIX.length);
      const fn = operations[op];
      if (!fn)
        return jsonError(
          400,
          "UnknownOperationException",
          `the local Data Exports emulation does not implement ${op}; it implements ${Object.keys(operations).join(", ")}`,
        );
      let body: Record<string, unknown>;
      try {
        body = req.body.length ? (JSON.parse(req.body.toString("utf8")) as Record<string, unknown>) : {};
      } catch {
        return jsonError(400, "SerializationException", "request body is not JSON");
      }
      try {
        const account = await ctx.accountOf(req);
        return jsonOk(fn(account, body, req));
      } catch (e) {
        if (e instanceof ValidationError) return jsonError(400, "ValidationException", e.message);
        if ((e as { notFound?: boolean }).notFound)
          return jsonError(400, "ResourceNotFoundException", (e as Error).message);
        throw e;
      }
    },
    exportsOf(accountId) {
      return [...store(accountId).values()].map((s) => s.export);
    },
  };
}
