import {
  createDataExportsHandler,
  DATA_EXPORTS_TARGET_PREFIX,
} from "../../../../emulator/gap-filler/data-exports";
import type { GapRequest } from "../../../../emulator/gap-filler/server";
import { focusColumnType } from "../../../../modules/data-platform/glue-cur-table";
import { FOCUS_COLUMNS, FOCUS_TABLE, focusQuery } from "../../../../modules/payer/export-queries";
import { localConfig, resource, synthPayerAdmin } from "../../../support/synth";

/**
 * The FOCUS export asks for FOCUS 1.2, the version Data Exports offers, with the AWS columns.
 *
 * Sources:
 * - Data Exports user guide, "Data Exports table dictionary" (tables FOCUS 1.2 with AWS columns and
 *   FOCUS 1.0 with AWS columns), https://docs.aws.amazon.com/cur/latest/userguide/dataexports-table-dictionary.html
 * - "FOCUS 1.2 with AWS columns" (column names, types, nullability),
 *   https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws-columns.html
 * - CreateExport API reference (DataQuery: QueryStatement, optional TableConfigurations),
 *   https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_DataExports_CreateExport.html
 */
const FOCUS_1_2_AWS_COLUMNS = [
  // FOCUS 1.2 columns, in the dictionary's alphabetical order
  "AvailabilityZone",
  "BilledCost",
  "BillingAccountId",
  "BillingAccountName",
  "BillingAccountType",
  "BillingCurrency",
  "BillingPeriodEnd",
  "BillingPeriodStart",
  "CapacityReservationId",
  "CapacityReservationStatus",
  "ChargeCategory",
  "ChargeClass",
  "ChargeDescription",
  "ChargeFrequency",
  "ChargePeriodEnd",
  "ChargePeriodStart",
  "CommitmentDiscountCategory",
  "CommitmentDiscountId",
  "CommitmentDiscountName",
  "CommitmentDiscountQuantity",
  "CommitmentDiscountStatus",
  "CommitmentDiscountType",
  "CommitmentDiscountUnit",
  "ConsumedQuantity",
  "ConsumedUnit",
  "ContractedCost",
  "ContractedUnitPrice",
  "EffectiveCost",
  "InvoiceId",
  "InvoiceIssuerName",
  "ListCost",
  "ListUnitPrice",
  "PricingCategory",
  "PricingCurrency",
  "PricingCurrencyContractedUnitPrice",
  "PricingCurrencyEffectiveCost",
  "PricingCurrencyListUnitPrice",
  "PricingQuantity",
  "PricingUnit",
  "ProviderName",
  "PublisherName",
  "RegionId",
  "RegionName",
  "ResourceId",
  "ResourceName",
  "ResourceType",
  "ServiceCategory",
  "ServiceName",
  "ServiceSubcategory",
  "SkuId",
  "SkuMeter",
  "SkuPriceDetails",
  "SkuPriceId",
  "SubAccountId",
  "SubAccountName",
  "SubAccountType",
  "Tags",
  // AWS extensions
  "x_Discounts",
  "x_Operation",
  "x_ServiceCode",
];

describe("FOCUS export (FOCUS_1_2_AWS)", () => {
  it("selects every FOCUS 1.2 with AWS column, by name, from FOCUS_1_2_AWS", () => {
    expect(FOCUS_TABLE).toBe("FOCUS_1_2_AWS");
    expect([...FOCUS_COLUMNS]).toEqual(FOCUS_1_2_AWS_COLUMNS);
    expect(focusQuery().queryStatement).toBe(`SELECT ${FOCUS_1_2_AWS_COLUMNS.join(", ")} FROM FOCUS_1_2_AWS`);
  });

  it("synthesizes the FOCUS export with that query, no table configuration (none is required) and a 1.2 description", () => {
    const s = synthPayerAdmin(
      localConfig((d) => {
        d.cur = { ...d.cur, focus: { enabled: true } };
      }),
    );
    const focus = resource(s.payer, "aws_bcmdataexports_export", "data-exports/focus").export[0];
    expect(focus.description).toBe("FOCUS 1.2 for the FinOps landing");
    expect(focus.data_query[0]).toEqual({ query_statement: focusQuery().queryStatement });
    expect(focus.data_query[0].query_statement).not.toMatch(/FOCUS_1_0_AWS/);
  });

  it("types the Glue FOCUS table as the dictionary does: costs double, period bounds timestamp, Tags/SkuPriceDetails maps", () => {
    const types = Object.fromEntries(FOCUS_COLUMNS.map((c) => [c, focusColumnType(c)]));
    expect(types).toMatchObject({
      BilledCost: "double",
      EffectiveCost: "double",
      CommitmentDiscountQuantity: "double",
      PricingCurrencyEffectiveCost: "double",
      BillingPeriodStart: "timestamp",
      ChargePeriodEnd: "timestamp",
      Tags: "map<string,string>",
      SkuPriceDetails: "map<string,string>",
      x_Discounts: "map<string,double>",
      SubAccountId: "string",
      InvoiceId: "string",
    });
  });
});

describe("the Data Exports emulation (gap-filler) and the FOCUS 1.2 export", () => {
  const handler = createDataExportsHandler(() => 0);
  const ctx = { motoEndpoint: "http://unused", accountOf: async () => "111111111111" };
  const call = (op: string, body: unknown) =>
    handler.handle(
      {
        method: "POST",
        path: "/",
        target: `${DATA_EXPORTS_TARGET_PREFIX}${op}`,
        body: Buffer.from(JSON.stringify(body)),
      } as unknown as GapRequest,
      ctx,
    );
  const exportOf = (name: string, queryStatement: string) => ({
    Export: {
      Name: name,
      DataQuery: { QueryStatement: queryStatement },
      DestinationConfigurations: {
        S3Destination: {
          S3Bucket: "b",
          S3Prefix: "cur",
          S3Region: "us-east-1",
          S3OutputConfigurations: {
            OutputType: "CUSTOM",
            Format: "PARQUET",
            Compression: "PARQUET",
            Overwrite: "OVERWRITE_REPORT",
          },
        },
      },
      RefreshCadence: { Frequency: "SYNCHRONOUS" },
    },
  });

  it("accepts the synthesized FOCUS_1_2_AWS query and returns it unchanged from GetExport", async () => {
    const created = await call("CreateExport", exportOf("finops-cur2-focus", focusQuery().queryStatement));
    expect(created.status).toBe(200);
    const { ExportArn } = JSON.parse(created.body);
    const got = JSON.parse((await call("GetExport", { ExportArn })).body);
    expect(got.Export.DataQuery.QueryStatement).toBe(focusQuery().queryStatement);
  });

  it("refuses a table Data Exports does not offer, listing the ones it does", async () => {
    const r = await call("CreateExport", exportOf("bad", "SELECT BilledCost FROM FOCUS_9_9_AWS"));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toMatch(/with a table of .*FOCUS_1_2_AWS/);
  });
});
