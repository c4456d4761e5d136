/**
 * Every request body and query string of the API, as strict zod schemas: unknown fields are errors,
 * and a bad request gets 400 with one line per field ("amountUsd: must be a number > 0").
 */
import * as z from "zod";
import { GROUPS } from "../../contracts/api";
import { formatIssues } from "../shared/cost-explorer-params";
import { badRequest, SCOPE_LEVELS } from "./domain";

export const budgetIdSchema = z.string({ error: "must be a string" }).regex(/^[a-z0-9][a-z0-9-]{1,62}$/, {
  error: "must be 2-63 lowercase letters, digits or hyphens, starting with a letter or digit",
});

export const accountIdSchema = z.string({ error: "must be a string" }).regex(/^\d{12}$/, {
  error: "must be a 12-digit AWS account id",
});

const year = z.coerce
  .number({ error: "must be a year" })
  .int({ error: "must be a whole year" })
  .min(2000, { error: "must be 2000 or later" })
  .max(2100, { error: "must be 2100 or earlier" });

const amountUsd = z
  .number({ error: "must be a number (USD)" })
  .positive({ error: "must be greater than 0" })
  .max(1e12, { error: "must be at most 1e12" })
  .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, {
    error: "must have at most 2 decimals",
  });

/**
 * A budget owner or manager: an email address, matched (case-insensitively) against the caller's
 * verified email. Not a Cognito username: in this pool that is an opaque generated UUID.
 */
const personEmail = z
  .string({ error: "must be an email address" })
  .trim()
  .min(1, { error: "must not be empty" })
  .max(254, { error: "must be at most 254 characters" })
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, {
    error: "must be an email address (the person's verified email in the user pool)",
  });

const scope = z.strictObject({
  level: z.enum(SCOPE_LEVELS, { error: `must be one of ${SCOPE_LEVELS.join(", ")}` }),
  name: z
    .string({ error: "must be a string" })
    .trim()
    .min(1, { error: "must not be empty" })
    .max(100, { error: "must be at most 100 characters" }),
});

const note = z
  .string({ error: "must be a string" })
  .trim()
  .max(1000, { error: "must be at most 1000 characters" });

export const createBudgetBody = z.strictObject({
  budgetId: budgetIdSchema,
  year,
  name: z
    .string({ error: "must be a string" })
    .trim()
    .min(1, { error: "must not be empty" })
    .max(100, { error: "must be at most 100 characters" }),
  amountUsd,
  owner: personEmail,
  managers: z.array(personEmail, { error: "must be a list of email addresses" }).max(20).default([]),
  scope,
});

export const updateBudgetBody = z
  .strictObject({
    name: createBudgetBody.shape.name.optional(),
    amountUsd: amountUsd.optional(),
    owner: personEmail.optional(),
    managers: z.array(personEmail, { error: "must be a list of email addresses" }).max(20).optional(),
    scope: scope.optional(),
    reason: z
      .string({ error: "must say why the budget changes" })
      .trim()
      .min(3, { error: "must say why the budget changes (at least 3 characters)" })
      .max(1000),
  })
  .refine((b) => Object.keys(b).some((k) => k !== "reason"), {
    error: "give at least one of name, amountUsd, owner, managers, scope",
    path: ["body"],
  });

export const mapAccountBody = z.strictObject({
  budgetId: budgetIdSchema,
  reason: note.optional(),
});

export const unmapAccountBody = z.strictObject({ reason: note.optional() });

export const approveCardBody = z.strictObject({ note: note.optional() });

export const commentCardBody = z.strictObject({
  text: z
    .string({ error: "must be a string" })
    .trim()
    .min(1, { error: "must not be empty" })
    .max(2000, { error: "must be at most 2000 characters" }),
});

export const decisionBody = z.strictObject({
  decision: z.enum(["approve", "reject"], { error: 'must be "approve" or "reject"' }),
  note: note.optional(),
});

const month = z
  .string({ error: 'must be a month YYYY-MM, e.g. "2026-01"' })
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a month YYYY-MM, e.g. "2026-01"' });
export const periodIdSchema = z
  .string({ error: 'must be a period id YYYY-MM-Pn, e.g. "2026-01-P2"' })
  .regex(/^\d{4}-(0[1-9]|1[0-2])-P[1-6]$/, { error: 'must be a period id YYYY-MM-Pn, e.g. "2026-01-P2"' });

export const listAccountsQuery = z.strictObject({
  unallocated: z.enum(["true", "false"], { error: 'must be "true" or "false"' }).optional(),
});

export const listBudgetsQuery = z.strictObject({ year: year.optional() });

/** "day,service": one group per usage day and service, for a daily chart stacked by service. */
export const SPEND_GROUP_BYS = ["budget", "account", "service", "day", "day,service"] as const;
export const spendQuery = z.strictObject({
  month,
  period: periodIdSchema.optional(),
  groupBy: z
    .enum(SPEND_GROUP_BYS, { error: `must be one of ${SPEND_GROUP_BYS.join(", ")}` })
    .default("budget"),
  budgetId: budgetIdSchema.optional(),
  accountId: accountIdSchema.optional(),
  /** The account's OU as Organizations names it (accounts table, written by account-sync). */
  ou: z
    .string({ error: "must be an OU name" })
    .regex(/^[\s\S]{1,128}$/, { error: "must be an OU name (1-128 characters, as Organizations names it)" })
    .optional(),
  /** The account's environment in the accounts config (members[].environment). */
  environment: z
    .string({ error: "must be an environment" })
    .regex(/^[a-z][a-z0-9-]{0,31}$/, {
      error: "must be an environment of the accounts config (members[].environment), e.g. prod",
    })
    .optional(),
  /** The owner (email) of the budget the spend is attributed to. */
  owner: personEmail.transform((e) => e.toLowerCase()).optional(),
});

export const listCardsQuery = z.strictObject({
  budgetId: budgetIdSchema.optional(),
  period: periodIdSchema.optional(),
});

export const listChangesQuery = z.strictObject({
  status: z
    .enum(["pending", "approved", "rejected", "expired"], { error: "must be a change status" })
    .optional(),
});

/**
 * A Cognito username as GET /users lists it: in this pool an opaque generated UUID (users sign in
 * by email), never the email. Cognito allows up to 128 characters; this takes the safe subset.
 */
export const usernameSchema = z
  .string({ error: "must be a user's username as GET /users lists it" })
  .regex(/^[A-Za-z0-9._+@-]{1,128}$/, { error: "must be a user's username as GET /users lists it" });

/** FinOps groups of the pool (contracts/api.ts GROUPS), each at most once. */
const groupList = z
  .array(z.enum(GROUPS, { error: `must be one of ${GROUPS.join(", ")}` }), {
    error: `must be a list of groups (${GROUPS.join(", ")})`,
  })
  .max(GROUPS.length)
  .refine((gs) => new Set(gs).size === gs.length, { error: "must name each group at most once" });

export const inviteUserBody = z.strictObject({
  email: personEmail.transform((e) => e.toLowerCase()),
  groups: groupList.refine((gs) => gs.length > 0, {
    error: "must name at least one group: a user in no group may call nothing",
  }),
});

/** The user's complete FinOps group list; [] removes every group (the user may then call nothing). */
export const userGroupsBody = z.strictObject({ groups: groupList });

/** Parses input with a schema or throws a 400 naming every bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw badRequest(`invalid ${where}: ${formatIssues(parsed.error).split("\n").join("; ")}`);
}
