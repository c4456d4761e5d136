import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CUR_COLUMN_CATALOG,
  type CurAthenaType,
  type CurColumnGroup,
  curSelectedColumns,
  MONEY_COLUMNS,
  REQUIRED_CUR_COLUMNS,
} from "../../../contracts/cur-columns";

/**
 * The CUR 2.0 column catalog against AWS's published table dictionary, transcribed by hand into
 * test/fixtures/aws/cur2-table-dictionary.json (source URLs and the date taken in its `source`).
 */
interface DictionaryColumn {
  readonly name: string;
  readonly type: string;
  readonly tableConfiguration?: string;
}
interface Dictionary {
  readonly source: { readonly urls: readonly string[]; readonly taken: string };
  readonly table: string;
  readonly pages: readonly {
    readonly url: string;
    readonly complete: boolean;
    readonly columns: DictionaryColumn[];
  }[];
}
const dictionary: Dictionary = JSON.parse(
  readFileSync(join(__dirname, "../../fixtures/aws/cur2-table-dictionary.json"), "utf8"),
);

/** AWS's "Data type" spellings, and the catalog's type each one is. Any other spelling fails the test. */
const AWS_TYPE: Readonly<Record<string, CurAthenaType>> = {
  string: "string",
  double: "double",
  timestamp: "timestamp",
  "map <string, string>": "map<string,string>",
  "map <string, double>": "map<string,double>",
};

/**
 * Column names the dictionary prints differently from the column Data Exports delivers: a camel-case
 * SKU (Data Exports column names are lower case) and a stray space in the product page.
 */
const AWS_NAME_SPELLING: Readonly<Record<string, string>> = {
  product_instanceSKU: "product_instancesku",
  "product_to _location_type": "product_to_location_type",
};

/** The dictionary's table configurations, and the catalog group of a column one of them adds. */
const ADDED_BY: Readonly<Record<string, CurColumnGroup>> = {
  "Added by: INCLUDE RESOURCES": "resources",
  "Added by: INCLUDE SPLIT COST ALLOCATION DATA": "splitCostAllocation",
};

/**
 * Catalog columns whose dictionary rows are not transcribed yet (the fixture's split line item page
 * is marked incomplete). Transcribe them from the page into the fixture, then drop them here.
 */
const NOT_YET_TRANSCRIBED = [
  "split_line_item_public_on_demand_split_cost",
  "split_line_item_public_on_demand_unused_cost",
  "split_line_item_reserved_usage",
  "split_line_item_split_cost",
  "split_line_item_split_usage",
  "split_line_item_split_usage_ratio",
  "split_line_item_unused_cost",
];

const published = new Map<string, DictionaryColumn>(
  dictionary.pages.flatMap((p) => p.columns.map((c) => [AWS_NAME_SPELLING[c.name] ?? c.name, c] as const)),
);
const everySelected = curSelectedColumns({
  includeResourceIds: true,
  splitCostAllocationData: true,
  includeIamPrincipalData: true,
});

describe("the published CUR 2.0 dictionary fixture", () => {
  it("says where and when it was taken", () => {
    expect(dictionary.table).toBe("COST_AND_USAGE_REPORT");
    expect(dictionary.source.taken).toBe("2026-12-02");
    expect(dictionary.source.urls).toEqual(dictionary.pages.map((p) => p.url));
    for (const url of dictionary.source.urls)
      expect(url).toMatch(
        /^https:\/\/docs\.aws\.amazon\.com\/cur\/latest\/userguide\/table-dictionary-cur2-[a-z-]+\.html$/,
      );
  });

  it("uses only the type spellings mapped here, and names each column once", () => {
    const all = dictionary.pages.flatMap((p) => p.columns);
    expect(all.filter((c) => !(c.type in AWS_TYPE)).map((c) => `${c.name}: ${c.type}`)).toEqual([]);
    expect(published.size).toBe(all.length);
  });
});

describe("the CUR 2.0 column catalog (contracts/cur-columns.ts)", () => {
  it("names each column once", () => {
    const names = CUR_COLUMN_CATALOG.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(everySelected.filter((c) => !NOT_YET_TRANSCRIBED.includes(c.name)).map((c) => [c.name, c.type]))(
    "%s, which an export selects, is in AWS's dictionary as %s",
    (name, type) => {
      const row = published.get(name);
      expect(row).toBeDefined();
      expect(AWS_TYPE[row!.type]).toBe(type);
    },
  );

  it("lists as not yet transcribed exactly the selected columns the fixture lacks", () => {
    expect(everySelected.filter((c) => !published.has(c.name)).map((c) => c.name)).toEqual(
      NOT_YET_TRANSCRIBED,
    );
    const incomplete = dictionary.pages.filter((p) => !p.complete).map((p) => p.url);
    expect(incomplete).toEqual([
      "https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-split-line-item.html",
    ]);
  });

  it("puts a column a table configuration adds in that configuration's group", () => {
    for (const c of CUR_COLUMN_CATALOG) {
      const added = published.get(c.name)?.tableConfiguration;
      if (added?.startsWith("Added by:")) expect([c.name, c.group]).toEqual([c.name, ADDED_BY[added]]);
    }
  });

  it("selects line_item_resource_id only when INCLUDE_RESOURCES adds it (the dictionary's line item page)", () => {
    // AWS: "line_item_resource_id … Added by: INCLUDE RESOURCES" (fixture, table-dictionary-cur2-line-item).
    expect(published.get("line_item_resource_id")?.tableConfiguration).toBe("Added by: INCLUDE RESOURCES");
    const names = (includeResourceIds: boolean) =>
      curSelectedColumns({
        includeResourceIds,
        splitCostAllocationData: false,
        includeIamPrincipalData: false,
      }).map((c) => c.name as string);
    expect(names(true)).toContain("line_item_resource_id");
    expect(names(false)).not.toContain("line_item_resource_id");
    expect(names(true).length - names(false).length).toBe(1);
  });

  it("requires of a delivery only columns every export selects, and money columns are doubles", () => {
    const always = new Set(
      curSelectedColumns({
        includeResourceIds: false,
        splitCostAllocationData: false,
        includeIamPrincipalData: false,
      }).map((c) => c.name),
    );
    for (const name of REQUIRED_CUR_COLUMNS) expect([name, always.has(name)]).toEqual([name, true]);
    for (const name of MONEY_COLUMNS)
      expect([name, AWS_TYPE[published.get(name)!.type]]).toEqual([name, "double"]);
  });
});
