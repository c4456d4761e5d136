import { readFileSync } from "node:fs";
import { accountConfigJsonSchema, renderJsonSchema } from "../../../config/json-schema";

describe("the editor JSON Schema of the account config", () => {
  it("is committed exactly as the zod schema generates it (run npm run accounts:schema after changing config/schema.ts)", () => {
    expect(readFileSync("accounts/schema.json", "utf8")).toBe(renderJsonSchema());
  });

  it("rejects unknown keys at the top level and in members, like the validator", () => {
    // biome-ignore lint/suspicious/noExplicitAny: walking a JSON Schema document
    const schema = accountConfigJsonSchema() as any;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.members.items.additionalProperties).toBe(false);
  });

  it("lists the real region codes, so editors can complete them", () => {
    // biome-ignore lint/suspicious/noExplicitAny: walking a JSON Schema document
    const schema = accountConfigJsonSchema() as any;
    expect(schema.properties.admin.properties.regions.items.enum).toEqual(
      expect.arrayContaining(["us-east-1", "eu-west-1"]),
    );
  });
});
