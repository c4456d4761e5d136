/**
 * Validation of Athena database and table names that come from configuration (checked once at
 * cold start, before any SQL is built with them).
 *
 * Rule: 1-255 characters of lowercase ASCII letters, digits and underscores, starting with a
 * letter or underscore, and not a Trino reserved word. Such a name is safe to splice into SQL
 * unquoted, and matches what Glue and Athena accept for database and table names.
 */

export const MAX_IDENTIFIER_LENGTH = 255;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Trino's reserved words (they cannot be used as unquoted names). */
export const TRINO_RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    "alter and as between by case cast constraint create cross cube current_catalog current_date " +
    "current_path current_role current_schema current_time current_timestamp current_user deallocate " +
    "delete describe distinct drop else end escape except execute exists extract false for from full " +
    "group grouping having in inner insert intersect into is join json_array json_exists json_object " +
    "json_query json_table json_value left like listagg localtime localtimestamp natural normalize not " +
    "null on or order outer prepare recursive right rollup select skip table then trim true uescape " +
    "union unnest using values when where with"
  ).split(" "),
);

/**
 * Throws an Error naming `field` and the rule when `name` is not a safe Athena identifier;
 * returns the name unchanged otherwise.
 */
export function validateAthenaIdentifier(name: unknown, field: string): string {
  const rule = `use 1-${MAX_IDENTIFIER_LENGTH} lowercase letters, digits and underscores, starting with a letter or underscore`;
  if (typeof name !== "string" || name.length === 0) {
    throw new Error(`${field} is missing or empty; ${rule}`);
  }
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    throw new Error(`${field} ${shown} is ${name.length} characters long; ${rule}`);
  }
  if (!IDENTIFIER.test(name)) {
    throw new Error(`${field} ${shown} is not a valid Athena identifier; ${rule}`);
  }
  if (TRINO_RESERVED_WORDS.has(name)) {
    throw new Error(`${field} ${shown} is a reserved SQL word; choose another name (${rule})`);
  }
  return name;
}
