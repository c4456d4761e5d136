import { validateAthenaIdentifier } from "../../../../../functions/shared/sql-guard/identifier";

describe("validateAthenaIdentifier", () => {
  it.each(["cur2", "finops_data", "_staging", "a", "x".repeat(255)])("accepts %j", (name) => {
    expect(validateAthenaIdentifier(name, "athena.table")).toBe(name);
  });

  it.each([
    ["Cur2", "not a valid Athena identifier"],
    ["cur-2", "not a valid Athena identifier"],
    ["2cur", "not a valid Athena identifier"],
    ["cur2; DROP TABLE t", "not a valid Athena identifier"],
    ['cur2"', "not a valid Athena identifier"],
    ["c\u0443r2", "not a valid Athena identifier"],
    ["finops.cur2", "not a valid Athena identifier"],
    ["select", "is a reserved SQL word"],
    ["x".repeat(256), "is 256 characters long"],
    ["", "is missing or empty"],
  ])("rejects %j because it %s", (name, message) => {
    expect(() => validateAthenaIdentifier(name, "athena.table")).toThrow(message);
  });

  it("names the field and the rule in the error", () => {
    expect(() => validateAthenaIdentifier("Bad-Name", "ATHENA_DATABASE")).toThrow(
      'ATHENA_DATABASE "Bad-Name" is not a valid Athena identifier; use 1-255 lowercase letters, digits and underscores, starting with a letter or underscore',
    );
  });

  it("rejects a value that is not a string", () => {
    expect(() => validateAthenaIdentifier(undefined, "ATHENA_TABLE")).toThrow(
      "ATHENA_TABLE is missing or empty",
    );
  });
});
