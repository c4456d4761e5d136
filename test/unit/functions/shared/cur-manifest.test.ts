/**
 * The manifest and its key, as AWS Data Exports writes them. Sources:
 * - Data Exports user guide, "Data Exports manifest file reference"
 *   (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-manifest.html): the top-level
 *   fields are executionId, exportArn, columns (objects with name and type), dataFiles (full S3 URIs,
 *   `s3://<bucket-name>/<path>/<export-name>-<part-number>.<extension>`) and additionalOutputFiles.
 * - Data Exports user guide, "Understanding export delivery"
 *   (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html): overwrite
 *   writes `<prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`; "create new
 *   report" adds a `<timestamp>-<executionId>` folder in data/ and metadata/.
 * - A real manifest published in a public repository (account, bucket and export anonymized there),
 *   create-new, period 2026-05: executionId "9b6b32ef-2b70-3d10-9448-07e23ebce6b9", exportArn
 *   `arn:aws:bcm-data-exports:us-east-1:<accountId>:export/<export-name>-<uuid>`, columns of
 *   { name, type: "string" ... }, one data file
 *   `.../data/billing_period=2026-05/2026-06-01T23:48:02.356Z-9b6b32ef-.../<export-name>-00001.snappy.parquet`,
 *   `additionalOutputFiles: []`. REAL_SHAPE below rebuilds it with this project's placeholder account.
 */
import { CurDeliveryError } from "../../../../functions/shared/cur-delivery-error";
import {
  dataFileFormat,
  dataKeysOf,
  parseExecutionFolder,
  parseManifest,
  parseManifestKey,
} from "../../../../functions/shared/cur-manifest";

const PAYER = "111111111111";
const EXPORT_ID = "0f5f3e52-7c1b-4f5e-9d0c-3b1c2a4e5d6f";
const key = "cur/finops-cur2/metadata/BILLING_PERIOD=2026-01/finops-cur2-Manifest.json";
const location = parseManifestKey(key, "cur", "finops-cur2");

/** The documented fields, for the landing's own export (CUR 2.0, Parquet, overwrite). */
const documented = {
  executionId: "5a0b3f0c-9d2e-4c47-8f1a-2b6d7e8f9a01",
  exportArn: `arn:aws:bcm-data-exports:us-east-1:${PAYER}:export/finops-cur2-${EXPORT_ID}`,
  columns: [
    { name: "bill_billing_period_start_date", type: "timestamp" },
    { name: "line_item_usage_account_id", type: "string" },
    { name: "line_item_unblended_cost", type: "double" },
    { name: "product", type: "map<string,string>" },
  ],
  dataFiles: [
    "s3://finops-cur-111111111111/cur/finops-cur2/data/BILLING_PERIOD=2026-01/finops-cur2-00001.snappy.parquet",
  ],
  additionalOutputFiles: [],
};

/** The published real manifest's shape: create-new, lower-case billing_period folder in data/. */
const REAL_EXECUTION = "9b6b32ef-2b70-3d10-9448-07e23ebce6b9";
const REAL_FOLDER = `2026-06-01T23:48:02.356Z-${REAL_EXECUTION}`;
const realKey = `exports/focus-export/metadata/BILLING_PERIOD=2026-05/${REAL_FOLDER}/focus-export-Manifest.json`;
const REAL_SHAPE = {
  executionId: REAL_EXECUTION,
  exportArn: `arn:aws:bcm-data-exports:us-east-1:${PAYER}:export/focus-export-${EXPORT_ID}`,
  columns: [
    { name: "AvailabilityZone", type: "string" },
    { name: "BilledCost", type: "double" },
  ],
  dataFiles: [
    `s3://example-bucket/exports/focus-export/data/billing_period=2026-05/${REAL_FOLDER}/focus-export-00001.snappy.parquet`,
  ],
  additionalOutputFiles: [],
};

function fails(text: string, at = location): CurDeliveryError {
  try {
    parseManifest(text, at);
  } catch (e) {
    return e as CurDeliveryError;
  }
  throw new Error("expected a CurDeliveryError");
}

describe("manifest keys", () => {
  it("reads the billing period and the overwrite layout from the key", () => {
    expect(location).toEqual({
      s3Prefix: "cur",
      exportBase: "cur/finops-cur2",
      exportName: "finops-cur2",
      billingPeriod: "2026-01",
      partition: "BILLING_PERIOD=2026-01",
      layout: "overwrite",
      periodMetadataFolder: "cur/finops-cur2/metadata/BILLING_PERIOD=2026-01/",
      dataFolder: "cur/finops-cur2/data/BILLING_PERIOD=2026-01/",
    });
  });

  it("reads a create-new execution folder (<timestamp>-<executionId>)", () => {
    const at = parseManifestKey(realKey, "exports", "focus-export");
    expect(at).toMatchObject({
      billingPeriod: "2026-05",
      layout: "create-new",
      execution: { folder: REAL_FOLDER, id: REAL_EXECUTION, time: Date.parse("2026-06-01T23:48:02.356Z") },
      dataFolder: `exports/focus-export/data/BILLING_PERIOD=2026-05/${REAL_FOLDER}/`,
    });
  });

  it("orders execution folders by their timestamp", () => {
    const a = parseExecutionFolder(`2026-06-01T23:48:02.356Z-${REAL_EXECUTION}`)!;
    const b = parseExecutionFolder("2026-06-02T00:10:00.000Z-another")!;
    expect(a.time).toBeLessThan(b.time);
    expect(parseExecutionFolder("not-a-folder")).toBeUndefined();
  });

  it.each([
    "cur/other-export/metadata/BILLING_PERIOD=2026-01/other-export-Manifest.json",
    "cur/finops-cur2/data/BILLING_PERIOD=2026-01/finops-cur2-00001.snappy.parquet",
    "cur/finops-cur2/metadata/BILLING_PERIOD=2026-13/finops-cur2-Manifest.json",
    "cur/finops-cur2/metadata/PERIOD=2026-01/finops-cur2-Manifest.json",
    "cur/finops-cur2/metadata/BILLING_PERIOD=2026-01/yesterday/finops-cur2-Manifest.json",
    "cur/finops-cur2/metadata/BILLING_PERIOD=2026-01/finops-cur2-manifest.json",
  ])("refuses %s, naming the expected layout and the config to check", (k) => {
    expect(() => parseManifestKey(k, "cur", "finops-cur2")).toThrow(
      /expected cur\/finops-cur2\/metadata\/BILLING_PERIOD=YYYY-MM\/finops-cur2-Manifest.json \(overwrite\).*check cur.s3Prefix and cur.exportName/,
    );
  });
});

describe("manifests as AWS documents them", () => {
  it("accepts the documented fields and keeps only the keys of its data files (the replica has the same keys)", () => {
    const m = parseManifest(JSON.stringify(documented), location);
    expect(m.executionId).toBe(documented.executionId);
    expect(m.columns).toEqual(documented.columns);
    expect(dataKeysOf(m, location)).toEqual([
      "cur/finops-cur2/data/BILLING_PERIOD=2026-01/finops-cur2-00001.snappy.parquet",
    ]);
  });

  it("accepts the real published manifest's shape (create-new, billing_period= in data/)", () => {
    const at = parseManifestKey(realKey, "exports", "focus-export");
    const m = parseManifest(JSON.stringify(REAL_SHAPE), at);
    expect(dataKeysOf(m, at)).toEqual([
      `exports/focus-export/data/billing_period=2026-05/${REAL_FOLDER}/focus-export-00001.snappy.parquet`,
    ]);
  });

  it("tolerates fields AWS may add later, and a manifest without additionalOutputFiles", () => {
    const { additionalOutputFiles: _a, ...rest } = documented;
    expect(() =>
      parseManifest(JSON.stringify({ ...rest, someFutureField: { x: 1 } }), location),
    ).not.toThrow();
  });

  it("accepts an export ARN without the id suffix (export/<name>)", () => {
    const arn = `arn:aws:bcm-data-exports:us-east-1:${PAYER}:export/finops-cur2`;
    expect(() => parseManifest(JSON.stringify({ ...documented, exportArn: arn }), location)).not.toThrow();
  });

  it.each([
    ["finops-cur2-00001.snappy.parquet", "parquet"],
    ["finops-cur2-00002.csv.gz", "csv.gz"],
    ["finops-cur2-00001.csv", undefined],
  ])("knows the format of %s", (file, format) => {
    expect(dataFileFormat(file)).toBe(format);
  });

  it.each([
    ["not JSON", "{", "manifest", /not valid JSON/],
    ["a JSON array", "[]", "manifest", /not a JSON object/],
    ["of legacy CUR", JSON.stringify({ assemblyId: "a", reportKeys: [] }), "manifest", /legacy CUR/],
    [
      "without executionId",
      JSON.stringify({ ...documented, executionId: undefined }),
      "executionId",
      /is missing/,
    ],
    [
      "with an empty executionId",
      JSON.stringify({ ...documented, executionId: "" }),
      "executionId",
      /is empty/,
    ],
    ["without exportArn", JSON.stringify({ ...documented, exportArn: undefined }), "exportArn", /is missing/],
    [
      "whose exportArn is no Data Exports ARN",
      JSON.stringify({ ...documented, exportArn: "arn:aws:cur:us-east-1:111111111111:definition/x" }),
      "exportArn",
      /is not a Data Exports export ARN/,
    ],
    [
      "of another export",
      JSON.stringify({
        ...documented,
        exportArn: `arn:aws:bcm-data-exports:us-east-1:${PAYER}:export/other-${EXPORT_ID}`,
      }),
      "exportArn",
      /is not export finops-cur2.*check cur.exportName/,
    ],
    ["without dataFiles", JSON.stringify({ ...documented, dataFiles: undefined }), "dataFiles", /is missing/],
    ["with no data files", JSON.stringify({ ...documented, dataFiles: [] }), "dataFiles", /no data files/],
    [
      "with a data file that is no s3 URI",
      JSON.stringify({ ...documented, dataFiles: ["/tmp/x"] }),
      "dataFiles.0",
      /not an s3:\/\/ URI/,
    ],
    [
      "that lists a data file twice",
      JSON.stringify({ ...documented, dataFiles: [documented.dataFiles[0], documented.dataFiles[0]] }),
      "dataFiles.1",
      /listed twice.*double the month/,
    ],
    ["without columns", JSON.stringify({ ...documented, columns: undefined }), "columns", /is missing/],
    ["with no columns", JSON.stringify({ ...documented, columns: [] }), "columns", /no columns/],
    [
      "with a column without a type",
      JSON.stringify({ ...documented, columns: [{ name: "x" }] }),
      "columns.0.type",
      /is missing/,
    ],
    [
      "that lists a column twice",
      JSON.stringify({
        ...documented,
        columns: [...documented.columns, { name: "PRODUCT", type: "string" }],
      }),
      "columns.4.name",
      /listed twice/,
    ],
  ])("refuses a manifest %s, naming the field", (_name, text, field, message) => {
    const e = fails(text);
    expect(e).toBeInstanceOf(CurDeliveryError);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  it("refuses a create-new manifest whose executionId is not its folder's", () => {
    const at = parseManifestKey(realKey, "exports", "focus-export");
    const e = fails(JSON.stringify({ ...REAL_SHAPE, executionId: "another" }), at);
    expect(e.field).toBe("executionId");
    expect(e.message).toMatch(/not the execution of the folder it sits in/);
  });

  it.each([
    [
      "another period's folder",
      "s3://b/cur/finops-cur2/data/BILLING_PERIOD=2025-12/finops-cur2-00001.snappy.parquet",
    ],
    ["another export's folder", "s3://b/cur/other/data/BILLING_PERIOD=2026-01/other-00001.snappy.parquet"],
    [
      "a path that climbs out",
      "s3://b/cur/finops-cur2/data/BILLING_PERIOD=2026-01/../../x/finops-cur2-00001.snappy.parquet",
    ],
  ])("refuses data files in %s", (_name, uri) => {
    const m = parseManifest(JSON.stringify({ ...documented, dataFiles: [uri] }), location);
    expect(() => dataKeysOf(m, location)).toThrow(/outside the period's data folder/);
  });

  it("refuses a create-new data file of another execution", () => {
    const at = parseManifestKey(realKey, "exports", "focus-export");
    const other = REAL_SHAPE.dataFiles[0]!.replace(REAL_FOLDER, "2026-06-01T00:00:00.000Z-older");
    const m = parseManifest(JSON.stringify({ ...REAL_SHAPE, dataFiles: [other] }), at);
    expect(() => dataKeysOf(m, at)).toThrow(/outside the period's data folder/);
  });

  it("refuses a data file in a format Data Exports does not write", () => {
    const uri = documented.dataFiles[0]!.replace(".snappy.parquet", ".json");
    const m = parseManifest(JSON.stringify({ ...documented, dataFiles: [uri] }), location);
    expect(() => dataKeysOf(m, location)).toThrow(/neither Parquet \(.parquet\) nor gzip CSV/);
  });
});
