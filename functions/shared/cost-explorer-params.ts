/**
 * Parameters of the cost tools, checked against allowlists before any AWS call.
 *
 * - GetCostAndUsage: granularity DAILY or MONTHLY (HOURLY is refused: it needs hourly data opted in
 *   and is billed per request); metrics, group-by dimensions and filter dimensions from fixed
 *   lists (two lists: AWS documents fewer dimensions for GroupBy than for Filter); tag keys matching AWS's tag-key rules; at most 2 group-bys (Cost Explorer's limit).
 * - GetCostForecast: one metric, DAILY or MONTHLY.
 * - Dates are real calendar dates `YYYY-MM-DD`; `end` is exclusive (as in Cost Explorer) and must be
 *   after `start`. Range limits: DAILY at most 93 days (a quarter: results stay one page),
 *   MONTHLY at most 366 days.
 *
 * Every input has a JSON Schema (generated from the zod schema with z.toJSONSchema) for tool
 * registration. A bad input gives one message naming each field and the fix, nothing else.
 */
import type { GetCostAndUsageCommandInput, GetCostForecastCommandInput } from "@aws-sdk/client-cost-explorer";
import * as z from "zod";

export const GRANULARITIES = ["DAILY", "MONTHLY"] as const;
export const METRICS = [
  "UnblendedCost",
  "AmortizedCost",
  "NetUnblendedCost",
  "NetAmortizedCost",
  "BlendedCost",
  "UsageQuantity",
] as const;
/**
 * Dimensions a GetCostAndUsage GroupBy of type DIMENSION accepts: exactly the list AWS documents for
 * the GroupBy parameter ("Valid values for the DIMENSION type are AZ, INSTANCE_TYPE,
 * LEGAL_ENTITY_NAME, INVOICING_ENTITY, LINKED_ACCOUNT, OPERATION, PLATFORM, PURCHASE_TYPE, SERVICE,
 * TENANCY, RECORD_TYPE, and USAGE_TYPE"; Cost Explorer API Reference, GetCostAndUsage,
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html).
 */
export const GROUP_BY_DIMENSIONS = [
  "SERVICE",
  "LINKED_ACCOUNT",
  "AZ",
  "USAGE_TYPE",
  "INSTANCE_TYPE",
  "RECORD_TYPE",
  "OPERATION",
  "PURCHASE_TYPE",
  "PLATFORM",
  "TENANCY",
  "LEGAL_ENTITY_NAME",
  "INVOICING_ENTITY",
] as const;
/**
 * Dimensions a GetCostAndUsage Filter (Expression.Dimensions) may name: the group-by set plus those
 * AWS documents for the COST_AND_USAGE context of GetDimensionValues, which the GetCostAndUsage
 * reference points to for "a complete list of valid dimensions" (Cost Explorer API Reference,
 * GetDimensionValues, Context,
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetDimensionValues.html).
 * REGION, USAGE_TYPE_GROUP, INSTANCE_TYPE_FAMILY, DATABASE_ENGINE and BILLING_ENTITY filter but do
 * not group.
 */
export const FILTER_DIMENSIONS = [
  ...GROUP_BY_DIMENSIONS,
  "REGION",
  "USAGE_TYPE_GROUP",
  "INSTANCE_TYPE_FAMILY",
  "DATABASE_ENGINE",
  "BILLING_ENTITY",
] as const;
/**
 * Dimensions a GetCostForecast Filter may name: FILTER_DIMENSIONS less INVOICING_ENTITY, which the
 * list AWS documents for GetCostForecast's Filter does not include (Cost Explorer API Reference,
 * GetCostForecast, Filter,
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostForecast.html).
 */
export const FORECAST_FILTER_DIMENSIONS = [
  "SERVICE",
  "LINKED_ACCOUNT",
  "AZ",
  "USAGE_TYPE",
  "INSTANCE_TYPE",
  "RECORD_TYPE",
  "OPERATION",
  "PURCHASE_TYPE",
  "PLATFORM",
  "TENANCY",
  "LEGAL_ENTITY_NAME",
  "REGION",
  "USAGE_TYPE_GROUP",
  "INSTANCE_TYPE_FAMILY",
  "DATABASE_ENGINE",
  "BILLING_ENTITY",
] as const;
export const MAX_GROUP_BYS = 2;
export const MAX_DAYS = { DAILY: 93, MONTHLY: 366 } as const;

/** GetCostForecast names its metrics in upper snake case. */
const FORECAST_METRICS = {
  UnblendedCost: "UNBLENDED_COST",
  AmortizedCost: "AMORTIZED_COST",
  NetUnblendedCost: "NET_UNBLENDED_COST",
  NetAmortizedCost: "NET_AMORTIZED_COST",
  BlendedCost: "BLENDED_COST",
} as const;
export const FORECAST_METRIC_NAMES = Object.keys(FORECAST_METRICS) as Array<keyof typeof FORECAST_METRICS>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const toDayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

function isRealDate(date: string): boolean {
  if (!DATE.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

const isoDate = (what: string) =>
  z
    .string({ error: `must be the ${what} date as a string YYYY-MM-DD, e.g. "2026-01-01"` })
    .regex(DATE, {
      abort: true,
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not YYYY-MM-DD; give the ${what} date like "2026-01-01"`,
    })
    .refine(isRealDate, {
      error: (iss) => `${JSON.stringify(iss.input)} is not a real calendar date; check the month and day`,
    });

const granularity = z.enum(GRANULARITIES, {
  error: (iss) =>
    iss.input === "HOURLY"
      ? "HOURLY is not allowed: hourly data must be opted in and is billed per request; use DAILY or MONTHLY"
      : `${JSON.stringify(iss.input)} is not a granularity; use DAILY or MONTHLY`,
});

const metric = z.enum(METRICS, {
  error: (iss) => `${JSON.stringify(iss.input)} is not an allowed metric; use one of ${METRICS.join(", ")}`,
});

const groupByDimension = z.enum(GROUP_BY_DIMENSIONS, {
  error: (iss) =>
    (FILTER_DIMENSIONS as readonly unknown[]).includes(iss.input)
      ? `${JSON.stringify(iss.input)} can filter but not group: Cost Explorer's GetCostAndUsage groups only by ${GROUP_BY_DIMENSIONS.join(", ")} (or a tag); group by one of those, or filter on ${iss.input}`
      : `${JSON.stringify(iss.input)} is not an allowed group-by dimension; use one of ${GROUP_BY_DIMENSIONS.join(", ")}`,
});

const filterDimension = <const T extends readonly [string, ...string[]]>(allowed: T, api: string) =>
  z.enum(allowed, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not an allowed filter dimension for ${api}; use one of ${allowed.join(", ")}`,
  });

/** AWS tag keys: 1-128 characters of letters, digits, spaces and _ . : / = + - @ (not starting with "aws:"). */
const tagKey = z
  .string({ error: 'must be a tag key string, e.g. "cost-center"' })
  .regex(/^[\p{L}\p{N} _.:/=+@-]{1,128}$/u, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a tag key; use 1-128 letters, digits, spaces and _ . : / = + - @`,
  });

const groupBy = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("DIMENSION"), key: groupByDimension }),
    z.strictObject({ type: z.literal("TAG"), key: tagKey }),
  ],
  { error: 'must be { "type": "DIMENSION", "key": "SERVICE" } or { "type": "TAG", "key": "<tag key>" }' },
);

const filterValues = z
  .array(
    z.string().min(1, { error: "must not be empty" }).max(1024, { error: "must be at most 1024 characters" }),
    {
      error: "must be a list of values",
    },
  )
  .min(1, { error: "must list at least one value" })
  .max(100, { error: "lists more than 100 values; narrow the filter" });

const filterOf = <D extends z.ZodType<(typeof FILTER_DIMENSIONS)[number]>>(dimension: D) =>
  z.strictObject(
    {
      /** Dimension filters; all must match (AND). */
      dimensions: z
        .array(z.strictObject({ key: dimension, values: filterValues }))
        .max(5)
        .optional(),
      /** Tag filters; all must match (AND). */
      tags: z
        .array(z.strictObject({ key: tagKey, values: filterValues }))
        .max(5)
        .optional(),
    },
    { error: "must be an object with optional dimensions and tags lists" },
  );
const filter = filterOf(filterDimension(FILTER_DIMENSIONS, "GetCostAndUsage"));
const forecastFilter = filterOf(filterDimension(FORECAST_FILTER_DIMENSIONS, "GetCostForecast"));

const timeRange = <T extends z.ZodObject>(schema: T) =>
  schema.superRefine((value, ctx) => {
    const v = value as unknown as { start: string; end: string; granularity: string };
    if (!isRealDate(v.start) || !isRealDate(v.end)) return;
    const days = toDayNumber(v.end) - toDayNumber(v.start);
    if (days <= 0) {
      ctx.addIssue({
        code: "custom",
        path: ["end"],
        message: `must be after start (${v.start}); end is exclusive`,
      });
      return;
    }
    const max = MAX_DAYS[v.granularity as keyof typeof MAX_DAYS];
    if (max !== undefined && days > max) {
      ctx.addIssue({
        code: "custom",
        path: ["end"],
        message: `the range is ${days} days; ${v.granularity} allows at most ${max} days, so shorten it or use ${v.granularity === "DAILY" ? "MONTHLY" : "several requests"}`,
      });
    }
  });

export const costAndUsageParamsSchema = timeRange(
  z.strictObject({
    /** First day, inclusive. */
    start: isoDate("start"),
    /** Last day, exclusive. */
    end: isoDate("end"),
    granularity,
    metrics: z
      .array(metric, { error: `must be a list of metrics, e.g. ["UnblendedCost"]` })
      .min(1, { error: "must list at least one metric" })
      .max(METRICS.length)
      .refine((list) => new Set(list).size === list.length, {
        error: "lists a metric twice; name each once",
      }),
    groupBy: z
      .array(groupBy)
      .max(MAX_GROUP_BYS, {
        error: `lists more than ${MAX_GROUP_BYS} group-bys; Cost Explorer allows at most 2`,
      })
      .optional(),
    filter: filter.optional(),
  }),
);

export const costForecastParamsSchema = timeRange(
  z.strictObject({
    start: isoDate("start"),
    end: isoDate("end"),
    granularity,
    metric: z.enum(FORECAST_METRIC_NAMES as [keyof typeof FORECAST_METRICS], {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a forecastable metric; use one of ${FORECAST_METRIC_NAMES.join(", ")}`,
    }),
    filter: forecastFilter.optional(),
  }),
);

export type CostAndUsageParams = z.infer<typeof costAndUsageParamsSchema>;
export type CostForecastParams = z.infer<typeof costForecastParamsSchema>;

export type ParamsResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

/** One line per problem, "field.path: message", the first problem of each field only. */
export function formatIssues(error: z.ZodError): string {
  const lines = new Map<string, string>();
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.join(".") : "input";
    if (!lines.has(field)) lines.set(field, `${field}: ${issue.message}`);
  }
  return [...lines.values()].join("\n");
}

type Filter = z.infer<typeof filter>;

function toExpression(f: Filter | undefined): GetCostAndUsageCommandInput["Filter"] {
  if (!f) return undefined;
  const parts = [
    ...(f.dimensions ?? []).map((d) => ({
      Dimensions: { Key: d.key, Values: d.values, MatchOptions: ["EQUALS" as const] },
    })),
    ...(f.tags ?? []).map((t) => ({
      Tags: { Key: t.key, Values: t.values, MatchOptions: ["EQUALS" as const] },
    })),
  ];
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { And: parts };
}

/** Checks tool input and builds the exact GetCostAndUsage request. */
export function toGetCostAndUsageInput(input: unknown): ParamsResult<GetCostAndUsageCommandInput> {
  const parsed = costAndUsageParamsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error) };
  const p = parsed.data;
  const request: GetCostAndUsageCommandInput = {
    TimePeriod: { Start: p.start, End: p.end },
    Granularity: p.granularity,
    Metrics: [...p.metrics],
  };
  if (p.groupBy && p.groupBy.length > 0)
    request.GroupBy = p.groupBy.map((g) => ({ Type: g.type, Key: g.key }));
  const expression = toExpression(p.filter);
  if (expression) request.Filter = expression;
  return { ok: true, value: request };
}

/**
 * Checks tool input and builds the exact GetCostForecast request. `today` (YYYY-MM-DD, UTC) is
 * passed in so the check stays pure: a forecast must start today or later.
 */
export function toGetCostForecastInput(
  input: unknown,
  today: string,
): ParamsResult<GetCostForecastCommandInput> {
  const parsed = costForecastParamsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error) };
  const p = parsed.data;
  if (p.start < today) {
    return { ok: false, error: `start: a forecast starts today (${today}) or later; move start to ${today}` };
  }
  const request: GetCostForecastCommandInput = {
    TimePeriod: { Start: p.start, End: p.end },
    Granularity: p.granularity,
    Metric: FORECAST_METRICS[p.metric],
  };
  const expression = toExpression(p.filter);
  if (expression) request.Filter = expression;
  return { ok: true, value: request };
}

/** JSON Schemas of the tool inputs, for MCP/tool registration. */
export const costAndUsageJsonSchema = z.toJSONSchema(costAndUsageParamsSchema);
export const costForecastJsonSchema = z.toJSONSchema(costForecastParamsSchema);
