/**
 * Child process of utc-days.test.ts: run under a non-UTC TZ, attaches a Parquet delivery whose
 * usage timestamps are TIMESTAMP WITH TIME ZONE and prints the spend rows' usage days as JSON.
 */

import { SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT } from "../../../../../functions/shared/cur-queries";
import { DuckDbQueryEngine, localFetcher } from "../../../../../functions/shared/query-engine/duckdb";

const [dir, key, columns] = process.argv.slice(2) as [string, string, string];
(async () => {
  const engine = new DuckDbQueryEngine({ fetch: localFetcher(dir), threads: 1 });
  try {
    await engine.attach({
      billingPeriod: "2026-01",
      bucket: "local",
      dataKeys: [key],
      columns: JSON.parse(columns),
    });
    const rows = await engine.query(SPEND_BY_ACCOUNT_SERVICE_DAY_EXACT, ["2026-01"]);
    process.stdout.write(JSON.stringify(rows.map((r) => [r.usage_date, Number(r.line_items)])));
  } finally {
    await engine.close();
  }
})();
