/** npm run accounts:schema — regenerates accounts/schema.json from the zod schema. */
import { writeFileSync } from "node:fs";
import { renderJsonSchema } from "../config/json-schema";

writeFileSync("accounts/schema.json", renderJsonSchema());
console.log("wrote accounts/schema.json");
