import { CurDeliveryError } from "../../../functions/shared/cur-delivery-error";
import { dataKeysOf, parseManifest, parseManifestKey } from "../../../functions/shared/cur-manifest";

const key = "cur/finops-cur2/metadata/BILLING_PERIOD=2026-01/finops-cur2-Manifest.json";
const location = parseManifestKey(key, "cur", "finops-cur2");
const good = {
  version: "1.0",
  exportName: "finops-cur2",
  executionId: "e-1",
  billingPeriod: "2026-01",
  dataFiles: [
    "s3://finops-cur-111111111111/cur/finops-cur2/data/BILLING_PERIOD=2026-01/finops-cur2-00001.snappy.parquet",
  ],
  columns: [{ name: "line_item_unblended_cost", type: "double" }],
};

function fails(text: string): CurDeliveryError {
  try {
    parseManifest(text, location);
  } catch (e) {
    return e as CurDeliveryError;
  }
  throw new Error("expected a CurDeliveryError");
}

describe("manifest keys", () => {
  it("reads the billing period from BILLING_PERIOD= in the key", () => {
    expect(location).toEqual({ exportBase: "cur/finops-cur2", billingPeriod: "2026-01" });
  });

  it.each([
    "cur/other-export/metadata/BILLING_PERIOD=2026-01/other-export-Manifest.json",
    "cur/finops-cur2/data/BILLING_PERIOD=2026-01/finops-cur2-00001.snappy.parquet",
    "cur/finops-cur2/metadata/BILLING_PERIOD=2026-13/finops-cur2-Manifest.json",
  ])("refuses %s, naming the expected layout", (k) => {
    expect(() => parseManifestKey(k, "cur", "finops-cur2")).toThrow(
      /expected cur\/finops-cur2\/metadata\/BILLING_PERIOD=YYYY-MM\/finops-cur2-Manifest.json/,
    );
  });
});

describe("manifests", () => {
  it("accepts a CUR 2.0 manifest and keeps only the keys of its data files (the replica has the same keys)", () => {
    const m = parseManifest(JSON.stringify(good), location);
    expect(dataKeysOf(m, location)).toEqual([
      "cur/finops-cur2/data/BILLING_PERIOD=2026-01/finops-cur2-00001.snappy.parquet",
    ]);
  });

  it.each([
    ["not JSON", "{", "manifest", /not valid JSON/],
    ["a JSON array", "[]", "manifest", /not a JSON object/],
    ["without a version", JSON.stringify({ ...good, version: undefined }), "version", /is missing/],
    [
      "with an unknown version",
      JSON.stringify({ ...good, version: "2.0" }),
      "version",
      /"2.0" is not a manifest version/,
    ],
    ["of legacy CUR", JSON.stringify({ assemblyId: "a", reportKeys: [] }), "version", /legacy CUR/],
    ["without dataFiles", JSON.stringify({ ...good, dataFiles: undefined }), "dataFiles", /is missing/],
    ["with no data files", JSON.stringify({ ...good, dataFiles: [] }), "dataFiles", /no data files/],
    [
      "with a data file that is no s3 URI",
      JSON.stringify({ ...good, dataFiles: ["/tmp/x"] }),
      "dataFiles.0",
      /not an s3:\/\/ URI/,
    ],
    ["without columns", JSON.stringify({ ...good, columns: undefined }), "columns", /is missing/],
    [
      "of another billing period",
      JSON.stringify({ ...good, billingPeriod: "2025-12" }),
      "billingPeriod",
      /says 2025-12/,
    ],
  ])("refuses a manifest %s, naming the field", (_name, text, field, message) => {
    const e = fails(text);
    expect(e).toBeInstanceOf(CurDeliveryError);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  it("refuses data files outside the period's data folder", () => {
    const m = parseManifest(
      JSON.stringify({
        ...good,
        dataFiles: ["s3://b/cur/finops-cur2/data/BILLING_PERIOD=2025-12/x.parquet"],
      }),
      location,
    );
    expect(() => dataKeysOf(m, location)).toThrow(/outside the period's data folder/);
  });
});
