import {
  costAndUsageJsonSchema,
  costAndUsageParamsSchema,
  costForecastJsonSchema,
  costForecastParamsSchema,
  FILTER_DIMENSIONS,
  FORECAST_FILTER_DIMENSIONS,
  GROUP_BY_DIMENSIONS,
  toGetCostAndUsageInput,
  toGetCostForecastInput,
} from "../../../../functions/shared/cost-explorer-params";

const base = { start: "2026-01-01", end: "2026-02-01", granularity: "MONTHLY", metrics: ["UnblendedCost"] };

const errorOf = (input: unknown) => {
  const result = toGetCostAndUsageInput(input);
  expect(result.ok).toBe(false);
  return result.ok ? "" : result.error;
};

describe("toGetCostAndUsageInput", () => {
  it("builds the exact GetCostAndUsage request with group-bys and an AND filter", () => {
    const result = toGetCostAndUsageInput({
      ...base,
      granularity: "DAILY",
      metrics: ["UnblendedCost", "UsageQuantity"],
      groupBy: [
        { type: "DIMENSION", key: "SERVICE" },
        { type: "TAG", key: "cost-center" },
      ],
      filter: {
        dimensions: [{ key: "LINKED_ACCOUNT", values: ["111122223333"] }],
        tags: [{ key: "env", values: ["prod"] }],
      },
    });

    expect(result).toEqual({
      ok: true,
      value: {
        TimePeriod: { Start: "2026-01-01", End: "2026-02-01" },
        Granularity: "DAILY",
        Metrics: ["UnblendedCost", "UsageQuantity"],
        GroupBy: [
          { Type: "DIMENSION", Key: "SERVICE" },
          { Type: "TAG", Key: "cost-center" },
        ],
        Filter: {
          And: [
            { Dimensions: { Key: "LINKED_ACCOUNT", Values: ["111122223333"], MatchOptions: ["EQUALS"] } },
            { Tags: { Key: "env", Values: ["prod"], MatchOptions: ["EQUALS"] } },
          ],
        },
      },
    });
  });

  it("uses a single filter expression without And when there is one condition", () => {
    const result = toGetCostAndUsageInput({
      ...base,
      filter: { dimensions: [{ key: "REGION", values: ["eu-west-1"] }] },
    });

    expect(result.ok && result.value.Filter).toEqual({
      Dimensions: { Key: "REGION", Values: ["eu-west-1"], MatchOptions: ["EQUALS"] },
    });
  });

  it("leaves GroupBy and Filter out when not asked for", () => {
    expect(toGetCostAndUsageInput(base)).toEqual({
      ok: true,
      value: {
        TimePeriod: { Start: "2026-01-01", End: "2026-02-01" },
        Granularity: "MONTHLY",
        Metrics: ["UnblendedCost"],
      },
    });
  });

  it.each([
    [
      "HOURLY granularity",
      { granularity: "HOURLY" },
      "granularity: HOURLY is not allowed: hourly data must be opted in",
    ],
    [
      "an unknown granularity",
      { granularity: "WEEKLY" },
      'granularity: "WEEKLY" is not a granularity; use DAILY or MONTHLY',
    ],
    [
      "an unknown metric",
      { metrics: ["NormalizedUsageAmount"] },
      'metrics.0: "NormalizedUsageAmount" is not an allowed metric',
    ],
    ["no metrics", { metrics: [] }, "metrics: must list at least one metric"],
    ["a repeated metric", { metrics: ["UnblendedCost", "UnblendedCost"] }, "metrics: lists a metric twice"],
    ["February 30th", { start: "2026-02-30" }, 'start: "2026-02-30" is not a real calendar date'],
    ["a date in another format", { end: "01/02/2026" }, 'end: "01/02/2026" is not YYYY-MM-DD'],
    [
      "end before start",
      { start: "2026-02-01", end: "2026-01-01" },
      "end: must be after start (2026-02-01); end is exclusive",
    ],
    ["end equal to start", { end: "2026-01-01" }, "end: must be after start"],
    [
      "a DAILY range over 93 days",
      { granularity: "DAILY", end: "2026-04-05" },
      "end: the range is 94 days; DAILY allows at most 93 days",
    ],
    [
      "a MONTHLY range over 366 days",
      { end: "2027-01-03" },
      "end: the range is 367 days; MONTHLY allows at most 366 days",
    ],
    [
      "three group-bys",
      {
        groupBy: [
          { type: "DIMENSION", key: "SERVICE" },
          { type: "DIMENSION", key: "AZ" },
          { type: "DIMENSION", key: "LINKED_ACCOUNT" },
        ],
      },
      "groupBy: lists more than 2 group-bys; Cost Explorer allows at most 2",
    ],
    [
      "a group-by dimension off the allowlist",
      { groupBy: [{ type: "DIMENSION", key: "RESOURCE_ID" }] },
      'groupBy.0.key: "RESOURCE_ID" is not an allowed group-by dimension; use one of SERVICE, LINKED_ACCOUNT',
    ],
    [
      "a COST_CATEGORY group-by",
      { groupBy: [{ type: "COST_CATEGORY", key: "x" }] },
      'groupBy.0.type: must be { "type": "DIMENSION"',
    ],
    [
      "a tag key with a quote",
      { groupBy: [{ type: "TAG", key: 'a"b' }] },
      'groupBy.0.key: "a\\"b" is not a tag key',
    ],
    [
      "a filter on a dimension off the allowlist",
      { filter: { dimensions: [{ key: "PAYER_ACCOUNT", values: ["1"] }] } },
      'filter.dimensions.0.key: "PAYER_ACCOUNT" is not an allowed filter dimension for GetCostAndUsage; use one of SERVICE',
    ],
    [
      "a filter with no values",
      { filter: { tags: [{ key: "env", values: [] }] } },
      "filter.tags.0.values: must list at least one value",
    ],
    ["an unknown field", { nextPageToken: "x" }, 'input: Unrecognized key: "nextPageToken"'],
  ])("rejects %s, naming the field", (_label, patch, message) => {
    expect(errorOf({ ...base, ...patch })).toContain(message);
  });

  it.each(["REGION", "USAGE_TYPE_GROUP", "INSTANCE_TYPE_FAMILY", "DATABASE_ENGINE", "BILLING_ENTITY"])(
    "refuses to group by %s, which Cost Explorer filters on but does not group by, naming the allowed ones",
    (key) => {
      expect(errorOf({ ...base, groupBy: [{ type: "DIMENSION", key }] })).toBe(
        `groupBy.0.key: "${key}" can filter but not group: Cost Explorer's GetCostAndUsage groups only by ` +
          "SERVICE, LINKED_ACCOUNT, AZ, USAGE_TYPE, INSTANCE_TYPE, RECORD_TYPE, OPERATION, PURCHASE_TYPE, " +
          `PLATFORM, TENANCY, LEGAL_ENTITY_NAME, INVOICING_ENTITY (or a tag); group by one of those, or filter on ${key}`,
      );
      const filtered = toGetCostAndUsageInput({ ...base, filter: { dimensions: [{ key, values: ["x"] }] } });
      expect(filtered.ok && filtered.value.Filter).toEqual({
        Dimensions: { Key: key, Values: ["x"], MatchOptions: ["EQUALS"] },
      });
    },
  );

  it("groups by every documented group-by dimension, TENANCY and INVOICING_ENTITY included", () => {
    for (const key of ["TENANCY", "INVOICING_ENTITY", "RECORD_TYPE"]) {
      const result = toGetCostAndUsageInput({ ...base, groupBy: [{ type: "DIMENSION", key }] });
      expect(result.ok && result.value.GroupBy).toEqual([{ Type: "DIMENSION", Key: key }]);
    }
  });

  it("accepts a DAILY range of exactly 93 days and a MONTHLY range of exactly 366 days", () => {
    expect(toGetCostAndUsageInput({ ...base, granularity: "DAILY", end: "2026-04-04" }).ok).toBe(true);
    expect(toGetCostAndUsageInput({ ...base, start: "2024-01-01", end: "2025-01-01" }).ok).toBe(true);
  });

  it("reports every problem at once, one per field", () => {
    expect(
      errorOf({ start: "x", granularity: "HOURLY" })
        .split("\n")
        .map((line) => line.split(":")[0]),
    ).toEqual(["start", "end", "granularity", "metrics"]);
  });
});

describe("toGetCostForecastInput", () => {
  const forecast = {
    start: "2026-03-01",
    end: "2026-06-01",
    granularity: "MONTHLY",
    metric: "AmortizedCost",
  };

  it("builds the exact GetCostForecast request with the upper-case metric name", () => {
    expect(toGetCostForecastInput(forecast, "2026-02-15")).toEqual({
      ok: true,
      value: {
        TimePeriod: { Start: "2026-03-01", End: "2026-06-01" },
        Granularity: "MONTHLY",
        Metric: "AMORTIZED_COST",
      },
    });
  });

  it("refuses a forecast that starts before today", () => {
    expect(toGetCostForecastInput(forecast, "2026-03-02")).toEqual({
      ok: false,
      error: "start: a forecast starts today (2026-03-02) or later; move start to 2026-03-02",
    });
  });

  it("refuses an INVOICING_ENTITY filter, which GetCostForecast does not document, and keeps REGION", () => {
    const refused = toGetCostForecastInput(
      {
        ...forecast,
        filter: { dimensions: [{ key: "INVOICING_ENTITY", values: ["Amazon Web Services, Inc."] }] },
      },
      "2026-01-01",
    );
    expect(refused.ok === false && refused.error).toContain(
      'filter.dimensions.0.key: "INVOICING_ENTITY" is not an allowed filter dimension for GetCostForecast; use one of',
    );
    const kept = toGetCostForecastInput(
      { ...forecast, filter: { dimensions: [{ key: "REGION", values: ["eu-west-1"] }] } },
      "2026-01-01",
    );
    expect(kept.ok && kept.value.Filter).toEqual({
      Dimensions: { Key: "REGION", Values: ["eu-west-1"], MatchOptions: ["EQUALS"] },
    });
  });

  it("refuses UsageQuantity, which has no cost forecast here", () => {
    const result = toGetCostForecastInput({ ...forecast, metric: "UsageQuantity" }, "2026-01-01");

    expect(result.ok === false && result.error).toContain(
      'metric: "UsageQuantity" is not a forecastable metric',
    );
  });
});

/*
 * The allowlists against AWS's own lists (AWS Billing and Cost Management API Reference, Cost Explorer):
 * - GetCostAndUsage, request parameter GroupBy: "Valid values for the DIMENSION type are AZ,
 *   INSTANCE_TYPE, LEGAL_ENTITY_NAME, INVOICING_ENTITY, LINKED_ACCOUNT, OPERATION, PLATFORM,
 *   PURCHASE_TYPE, SERVICE, TENANCY, RECORD_TYPE, and USAGE_TYPE."
 *   https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html
 * - GetCostAndUsage's Filter points to GetDimensionValues "for a complete list of valid dimensions";
 *   GetDimensionValues, request parameter Context, "If you set the context to COST_AND_USAGE, you can
 *   use the following dimensions": AZ, BILLING_ENTITY, CACHE_ENGINE, DEPLOYMENT_OPTION,
 *   DATABASE_ENGINE, INSTANCE_TYPE, INSTANCE_TYPE_FAMILY, INVOICING_ENTITY, LEGAL_ENTITY_NAME,
 *   LINKED_ACCOUNT, OPERATING_SYSTEM, OPERATION, PLATFORM, PURCHASE_TYPE, RESERVATION_ID,
 *   SAVINGS_PLAN_ARN, SAVINGS_PLANS_TYPE, SERVICE, TENANCY, USAGE_TYPE, USAGE_TYPE_GROUP, REGION,
 *   RECORD_TYPE, RESOURCE_ID.
 *   https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetDimensionValues.html
 * - GetCostForecast, request parameter Filter: "supports filtering by the following dimensions": AZ,
 *   INSTANCE_TYPE, LINKED_ACCOUNT, OPERATION, PURCHASE_TYPE, REGION, SERVICE, USAGE_TYPE,
 *   USAGE_TYPE_GROUP, RECORD_TYPE, OPERATING_SYSTEM, TENANCY, SCOPE, PLATFORM, SUBSCRIPTION_ID,
 *   LEGAL_ENTITY_NAME, DEPLOYMENT_OPTION, DATABASE_ENGINE, INSTANCE_TYPE_FAMILY, BILLING_ENTITY,
 *   RESERVATION_ID, SAVINGS_PLAN_ARN.
 *   https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostForecast.html
 * (The same sentences are in the installed @aws-sdk/client-cost-explorer models, generated from the
 * service model.)
 */
const AWS_GROUP_BY_DIMENSIONS = [
  "AZ",
  "INSTANCE_TYPE",
  "LEGAL_ENTITY_NAME",
  "INVOICING_ENTITY",
  "LINKED_ACCOUNT",
  "OPERATION",
  "PLATFORM",
  "PURCHASE_TYPE",
  "SERVICE",
  "TENANCY",
  "RECORD_TYPE",
  "USAGE_TYPE",
];
const AWS_COST_AND_USAGE_FILTER_DIMENSIONS = [
  "AZ",
  "BILLING_ENTITY",
  "CACHE_ENGINE",
  "DEPLOYMENT_OPTION",
  "DATABASE_ENGINE",
  "INSTANCE_TYPE",
  "INSTANCE_TYPE_FAMILY",
  "INVOICING_ENTITY",
  "LEGAL_ENTITY_NAME",
  "LINKED_ACCOUNT",
  "OPERATING_SYSTEM",
  "OPERATION",
  "PLATFORM",
  "PURCHASE_TYPE",
  "RESERVATION_ID",
  "SAVINGS_PLAN_ARN",
  "SAVINGS_PLANS_TYPE",
  "SERVICE",
  "TENANCY",
  "USAGE_TYPE",
  "USAGE_TYPE_GROUP",
  "REGION",
  "RECORD_TYPE",
  "RESOURCE_ID",
];
const AWS_FORECAST_FILTER_DIMENSIONS = [
  "AZ",
  "INSTANCE_TYPE",
  "LINKED_ACCOUNT",
  "OPERATION",
  "PURCHASE_TYPE",
  "REGION",
  "SERVICE",
  "USAGE_TYPE",
  "USAGE_TYPE_GROUP",
  "RECORD_TYPE",
  "OPERATING_SYSTEM",
  "TENANCY",
  "SCOPE",
  "PLATFORM",
  "SUBSCRIPTION_ID",
  "LEGAL_ENTITY_NAME",
  "DEPLOYMENT_OPTION",
  "DATABASE_ENGINE",
  "INSTANCE_TYPE_FAMILY",
  "BILLING_ENTITY",
  "RESERVATION_ID",
  "SAVINGS_PLAN_ARN",
];

describe("the dimension allowlists, against the Cost Explorer API Reference", () => {
  it("offers exactly the group-by dimensions GetCostAndUsage documents", () => {
    expect([...GROUP_BY_DIMENSIONS].sort()).toEqual([...AWS_GROUP_BY_DIMENSIONS].sort());
  });

  it("offers only filter dimensions documented for GetCostAndUsage and for GetCostForecast", () => {
    expect(AWS_COST_AND_USAGE_FILTER_DIMENSIONS).toEqual(expect.arrayContaining([...FILTER_DIMENSIONS]));
    expect(AWS_FORECAST_FILTER_DIMENSIONS).toEqual(expect.arrayContaining([...FORECAST_FILTER_DIMENSIONS]));
    expect(FORECAST_FILTER_DIMENSIONS).not.toContain("INVOICING_ENTITY");
  });

  it("puts the same lists in the JSON Schemas the tools are registered with", () => {
    const usage = JSON.stringify(costAndUsageJsonSchema);
    const groupByEnum = (
      costAndUsageJsonSchema.properties as Record<
        string,
        { items: { oneOf: Array<{ properties: { key: { enum?: string[] } } }> } }
      >
    ).groupBy.items.oneOf.find((o) => o.properties.key.enum)?.properties.key.enum;

    expect(groupByEnum).toEqual([...GROUP_BY_DIMENSIONS]);
    expect(usage).toContain(JSON.stringify([...FILTER_DIMENSIONS]));
    expect(JSON.stringify(costForecastJsonSchema)).toContain(JSON.stringify([...FORECAST_FILTER_DIMENSIONS]));
  });
});

describe("JSON Schemas of the inputs", () => {
  it.each([
    ["GetCostAndUsage", costAndUsageJsonSchema],
    ["GetCostForecast", costForecastJsonSchema],
  ])("the %s schema is a closed JSON Schema object", (_name, schema) => {
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      additionalProperties: false,
    });
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it("lists the same allowlists as the zod rules", () => {
    const props = costAndUsageJsonSchema.properties as Record<string, Record<string, unknown>>;

    expect(props.granularity).toMatchObject({ enum: ["DAILY", "MONTHLY"] });
    expect(props.metrics).toMatchObject({
      type: "array",
      minItems: 1,
      items: { enum: expect.arrayContaining(["UnblendedCost"]) },
    });
    expect(props.groupBy).toMatchObject({ type: "array", maxItems: 2 });
    expect(costAndUsageJsonSchema.required).toEqual(["start", "end", "granularity", "metrics"]);
  });

  it.each([
    ["accepted", base, true],
    ["HOURLY", { ...base, granularity: "HOURLY" }, false],
    ["an extra key", { ...base, extra: 1 }, false],
    ["a metric off the list", { ...base, metrics: ["Cost"] }, false],
  ])("agrees with zod on %s", (_label, input, valid) => {
    const props = costAndUsageJsonSchema.properties as Record<
      string,
      { enum?: unknown[]; items?: { enum?: unknown[] } }
    >;
    const keysOk = Object.keys(input).every((key) => key in props);
    const enumOk =
      props.granularity.enum!.includes(input.granularity) &&
      input.metrics.every((m) => props.metrics.items!.enum!.includes(m));

    expect(keysOk && enumOk).toBe(valid);
    expect(costAndUsageParamsSchema.safeParse(input).success).toBe(valid);
  });

  it("keeps forecast metrics out of the usage-quantity metric", () => {
    const props = costForecastJsonSchema.properties as Record<string, { enum?: unknown[] }>;

    expect(props.metric.enum).not.toContain("UsageQuantity");
    expect(
      costForecastParamsSchema.safeParse({
        start: "2026-01-01",
        end: "2026-02-01",
        granularity: "DAILY",
        metric: "BlendedCost",
      }).success,
    ).toBe(true);
  });
});
