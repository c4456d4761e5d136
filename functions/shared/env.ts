import type { z } from "zod";

/**
 * Reads a function's environment once, at cold start. A missing or malformed variable is a
 * deployment fault: the message names every bad variable, so the function fails fast and clearly.
 */
export function readEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "(environment)"}: ${i.message}`);
    throw new Error(
      `the function's environment is invalid (${lines.join("; ")}); it is set by the data platform's Terraform: re-deploy the admin stack`,
    );
  }
  return parsed.data;
}
