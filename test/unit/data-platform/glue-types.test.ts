import { CUR_COLUMNS } from "../../../emulator/cur/generator";
import { cur2ColumnType } from "../../../modules/data-platform/glue-cur-table";
import { CUR2_COLUMNS } from "../../../modules/payer/export-queries";

const athenaOf: Record<string, string> = {
  VARCHAR: "string",
  DOUBLE: "double",
  TIMESTAMP: "timestamp",
  "MAP(VARCHAR, VARCHAR)": "map<string,string>",
  "MAP(VARCHAR, DOUBLE)": "map<string,double>",
};

describe("the Glue CUR 2.0 table's column types", () => {
  it.each(CUR_COLUMNS.map(([name, type]) => [name, type]))(
    "types %s as the Parquet the sample generator writes (%s)",
    (name, type) => {
      expect(cur2ColumnType(name)).toBe(athenaOf[type]);
    },
  );

  it("covers every column the payer's export selects", () => {
    const generated = new Set(CUR_COLUMNS.map(([n]) => n as string));
    expect(CUR2_COLUMNS.filter((c) => !generated.has(c))).toEqual([]);
  });
});
