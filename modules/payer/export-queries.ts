/**
 * The Data Exports queries of the payer's exports. Data Exports select columns by name: CUR 2.0
 * and FOCUS take an explicit column list (the Cloud Intelligence Dashboards data-exports stack
 * lists the same columns), and optional column groups only exist when their table option is on.
 * The CUR 2.0 and FOCUS column lists are the catalogs in contracts/ (cur-columns.ts, focus-columns.ts).
 */
import { curSelectedColumns } from "../../contracts/cur-columns";
import { FOCUS_COLUMNS } from "../../contracts/focus-columns";

export {
  CUR2_BASE_COLUMNS as CUR2_COLUMNS,
  CUR2_IAM_PRINCIPAL_COLUMNS,
  CUR2_SPLIT_COST_COLUMNS,
} from "../../contracts/cur-columns";
export { FOCUS_COLUMNS } from "../../contracts/focus-columns";

/** Data Exports table of the FOCUS export: FOCUS 1.2 with AWS columns (the version Data Exports offers). */
export const FOCUS_TABLE = "FOCUS_1_2_AWS";

export const COH_COLUMNS = [
  "account_id",
  "action_type",
  "currency_code",
  "current_resource_details",
  "current_resource_summary",
  "current_resource_type",
  "estimated_monthly_cost_after_discount",
  "estimated_monthly_cost_before_discount",
  "estimated_monthly_savings_after_discount",
  "estimated_monthly_savings_before_discount",
  "estimated_savings_percentage_after_discount",
  "estimated_savings_percentage_before_discount",
  "implementation_effort",
  "last_refresh_timestamp",
  "recommendation_id",
  "recommendation_lookback_period_in_days",
  "recommendation_source",
  "recommended_resource_details",
  "recommended_resource_summary",
  "recommended_resource_type",
  "region",
  "resource_arn",
  "restart_needed",
  "rollback_possible",
  "tags",
] as const;

export interface ExportQuery {
  readonly table: string;
  readonly queryStatement: string;
  readonly tableConfigurations: Record<string, Record<string, string>>;
}

const select = (columns: readonly string[], table: string): string =>
  `SELECT ${columns.join(", ")} FROM ${table}`;
const flag = (b: boolean): string => (b ? "TRUE" : "FALSE");

export interface Cur2QueryOptions {
  readonly timeGranularity: "HOURLY" | "DAILY";
  readonly includeResourceIds: boolean;
  readonly splitCostAllocationData: boolean;
  readonly includeIamPrincipalData: boolean;
}

export function cur2Query(o: Cur2QueryOptions): ExportQuery {
  const columns = curSelectedColumns(o).map((c) => c.name);
  return {
    table: "COST_AND_USAGE_REPORT",
    queryStatement: select(columns, "COST_AND_USAGE_REPORT"),
    tableConfigurations: {
      COST_AND_USAGE_REPORT: {
        TIME_GRANULARITY: o.timeGranularity,
        INCLUDE_RESOURCES: flag(o.includeResourceIds),
        INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: "FALSE",
        INCLUDE_SPLIT_COST_ALLOCATION_DATA: flag(o.splitCostAllocationData),
        ...(o.includeIamPrincipalData ? { INCLUDE_IAM_PRINCIPAL_DATA: "TRUE" } : {}),
      },
    },
  };
}

export function focusQuery(): ExportQuery {
  return {
    table: FOCUS_TABLE,
    queryStatement: select(FOCUS_COLUMNS, FOCUS_TABLE),
    tableConfigurations: {},
  };
}

export function cohQuery(): ExportQuery {
  return {
    table: "COST_OPTIMIZATION_RECOMMENDATIONS",
    queryStatement: select(COH_COLUMNS, "COST_OPTIMIZATION_RECOMMENDATIONS"),
    tableConfigurations: {
      COST_OPTIMIZATION_RECOMMENDATIONS: { FILTER: "{}", INCLUDE_ALL_RECOMMENDATIONS: "TRUE" },
    },
  };
}
