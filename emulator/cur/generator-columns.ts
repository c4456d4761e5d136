/**
 * The rows the CUR 2.0 generator writes: the columns every CUR 2.0 export of the landing selects,
 * in order, with their DuckDB types, all from the catalog in contracts/cur-columns.ts (dates are
 * TIMESTAMP (UTC), money and quantities DOUBLE, `product`/`resource_tags`/`cost_category`
 * MAP(VARCHAR, VARCHAR), `discount` MAP(VARCHAR, DOUBLE)). Columns the generator has no value for
 * are NULL.
 */
import {
  CUR2_BASE_COLUMNS,
  type CurDuckType,
  curColumn,
  curSelectedColumns,
} from "../../contracts/cur-columns";
import type { DeliveryColumn } from "./delivery";

export type CurColumn = (typeof CUR2_BASE_COLUMNS)[number];

/** The CUR 2.0 columns, in export order, with their DuckDB types. */
export const CUR_COLUMNS: readonly (readonly [CurColumn, CurDuckType])[] = CUR2_BASE_COLUMNS.map(
  (name) => [name, curColumn(name).duckType] as const,
);

/** One row: only the columns the generator fills; every other column is NULL. */
export type CurRow = Partial<Record<CurColumn, string | number | Record<string, string | number>>>;

/**
 * CUR_COLUMNS with the type each has in a manifest's `columns` (string, double, timestamp, map<...>).
 * Without `includeResourceIds` the `resources` group (line_item_resource_id) is left out, as AWS's
 * table dictionary says only INCLUDE_RESOURCES = TRUE adds it (contracts/cur-columns.ts,
 * curSelectedColumns): an export without it has no such column at all, not a column of NULLs.
 */
export function curDeliveryColumns(
  options: { readonly includeResourceIds?: boolean } = {},
): DeliveryColumn[] {
  const names = new Set(
    curSelectedColumns({
      includeResourceIds: options.includeResourceIds ?? true,
      splitCostAllocationData: false,
      includeIamPrincipalData: false,
    }).map((c) => c.name),
  );
  return CUR2_BASE_COLUMNS.filter((name) => names.has(name)).map((name) => {
    const c = curColumn(name);
    return { name, duckType: c.duckType, manifestType: c.type };
  });
}
