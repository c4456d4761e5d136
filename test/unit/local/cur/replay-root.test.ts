/**
 * Reading a synced export root for `npm run cur:replay` (local/cur/export-root.ts). The layout is AWS's
 * ("Understanding export delivery",
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html), written here by
 * the emulator's Data Exports writer, whose manifests carry only AWS's documented fields.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAccountConfig } from "../../../../config/load";
import { writeFocusMonth } from "../../../../emulator/cur/focus";
import { curAccountsFromConfig, generateCurMonth, writeCurMonth } from "../../../../emulator/cur/generator";
import { accountsInExport, readExportRoot } from "../../../../local/cur/export-root";
import { keyUnderExport } from "../../../../local/cur/replay";

const config = loadAccountConfig("accounts/local.yaml");
const base = {
  payer: { id: config.payer.id, name: config.payer.name },
  accounts: curAccountsFromConfig(config),
  exportName: "acme-cur",
  s3Prefix: "billing/exports",
  bucket: "acme-billing",
};
let dir: string;
const root = () => path.join(dir, "billing/exports/acme-cur");

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "finops-replay-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("an export root", () => {
  it("reads every period of an overwrite Parquet export, the S3 prefix taken from the manifest's dataFiles", async () => {
    await writeCurMonth({ ...base, billingPeriod: "2026-08", seed: 1, outDir: dir });
    await writeCurMonth({ ...base, billingPeriod: "2026-09", seed: 2, outDir: dir });
    const r = await readExportRoot(root());
    expect(r).toMatchObject({ exportName: "acme-cur", kind: "cur2" });
    expect(r.deliveries.map((d) => [d.billingPeriod, d.location.layout, d.location.s3Prefix])).toEqual([
      ["2026-08", "overwrite", "billing/exports"],
      ["2026-09", "overwrite", "billing/exports"],
    ]);
    expect(r.deliveries[0]!.dataFiles.map((f) => f.keyInExport)).toEqual([
      "data/BILLING_PERIOD=2026-08/acme-cur-00001.snappy.parquet",
    ]);
  });

  it("keeps only the newest create-new execution of a period (gzip CSV)", async () => {
    const shape = { format: "csv", overwrite: "CREATE_NEW_REPORT" } as const;
    await writeCurMonth({
      ...base,
      ...shape,
      billingPeriod: "2026-09",
      seed: 1,
      outDir: dir,
      executedAt: new Date("2026-09-02T00:00:00.000Z"),
    });
    const newest = await writeCurMonth({
      ...base,
      ...shape,
      billingPeriod: "2026-09",
      seed: 2,
      outDir: dir,
      executedAt: new Date("2026-09-10T00:00:00.000Z"),
    });
    const r = await readExportRoot(root());
    expect(r.deliveries).toHaveLength(1);
    const d = r.deliveries[0]!;
    expect(d.location.layout).toBe("create-new");
    expect(d.manifest.executionId).toBe(newest.manifest.executionId);
    expect(d.olderExecutions).toHaveLength(1);
    expect(d.dataFiles[0]!.keyInExport.endsWith(".csv.gz")).toBe(true);
  });

  it("names the accounts the export bills with the names it gives them", async () => {
    const m = await writeCurMonth({ ...base, billingPeriod: "2026-09", seed: 1, outDir: dir });
    const accounts = await accountsInExport(await readExportRoot(root()));
    expect(accounts.map((a) => a.accountId).sort()).toEqual(Object.keys(m.groundTruth.byAccount).sort());
    const payer = accounts.find((a) => a.accountId === config.payer.id)!;
    expect(payer.name).toBe(config.payer.name);
  });

  it("puts a file under the configured export with the configured names", () => {
    expect(
      keyUnderExport("data/BILLING_PERIOD=2026-09/x-y/acme-cur-00001.csv.gz", "acme-cur", {
        s3Prefix: "cur",
        exportName: "finops-cur2",
      }),
    ).toBe("cur/finops-cur2/data/BILLING_PERIOD=2026-09/x-y/finops-cur2-00001.csv.gz");
  });
});

describe("a root the replay refuses, naming the path and the fix", () => {
  it("is not a folder", async () => {
    await expect(readExportRoot(path.join(dir, "nope"))).rejects.toThrow(
      /no such folder; sync the whole export folder/,
    );
  });

  it("has no metadata/ (the bucket root or the data folder was given)", async () => {
    await writeCurMonth({ ...base, billingPeriod: "2026-09", outDir: dir });
    await expect(readExportRoot(dir)).rejects.toThrow(/no metadata\/ folder; give the export's own folder/);
  });

  it("lists a data file that was not synced", async () => {
    const m = await writeCurMonth({ ...base, billingPeriod: "2026-09", outDir: dir });
    unlinkSync(m.files[0]!.path);
    await expect(readExportRoot(root())).rejects.toThrow(
      /dataFiles lists data\/BILLING_PERIOD=2026-09\/acme-cur-00001.snappy.parquet, but .* is missing/,
    );
  });

  it("holds a manifest the ingest would refuse (with the ingest's field and message)", async () => {
    const m = await writeCurMonth({ ...base, billingPeriod: "2026-09", outDir: dir });
    const file = m.files[1]!.path;
    const j = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...j, dataFiles: [j.dataFiles[0], j.dataFiles[0]] }));
    await expect(readExportRoot(root())).rejects.toThrow(
      /acme-cur-Manifest.json: dataFiles.1: .* listed twice/,
    );
  });

  it("holds a legacy CUR manifest", async () => {
    const m = await writeCurMonth({ ...base, billingPeriod: "2026-09", outDir: dir });
    writeFileSync(m.files[1]!.path, JSON.stringify({ assemblyId: "a", reportKeys: [] }));
    await expect(readExportRoot(root())).rejects.toThrow(/manifest: this is a legacy CUR \(1.0\) manifest/);
  });

  it("is a FOCUS export: read, but the landing ingests CUR 2.0", async () => {
    const rows = generateCurMonth({ ...base, billingPeriod: "2026-09" }).rows;
    await writeFocusMonth(rows, {
      ...base,
      exportName: "acme-focus",
      payerId: config.payer.id,
      billingPeriod: "2026-09",
      outDir: dir,
    });
    const r = await readExportRoot(path.join(dir, "billing/exports/acme-focus"));
    expect(r.kind).toBe("focus");
  });
});
