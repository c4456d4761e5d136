/**
 * Form validation with the API's own zod schemas (functions/api/schemas.ts): the console refuses
 * what the API would refuse, with the same words, field by field, before sending.
 */
import type { z } from "zod";

export type FieldErrors = Partial<Record<string, string>>;

export function check<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { ok: true; value: z.output<S> } | { ok: false; errors: FieldErrors } {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}
