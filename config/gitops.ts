import { z } from "zod";

/**
 * The `gitops:` section of the account config: what the bootstrap stack (stacks/bootstrap-stack.ts,
 * docs/bootstrap.md) needs to know that the rest of the config does not say: which GitHub
 * repository and protected environment the pipeline roles trust, and what it turns on in the
 * management account. Absent: no bootstrap stack is synthesized (the state bucket, OIDC provider and
 * roles are then managed by hand, as docs/gitops.md describes).
 *
 * GitHub's OIDC subject claims (the trust conditions' `sub`): `repo:<owner>/<repo>:pull_request` for
 * pull_request events, `repo:<owner>/<repo>:ref:refs/heads/<branch>` for a branch without an
 * environment, `repo:<owner>/<repo>:environment:<name>` for a job that references an environment
 * (https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims).
 */
export const gitopsSchema = z.strictObject({
  /** The GitHub repository whose workflows may assume the plan and apply roles, "owner/name". */
  repository: z
    .string({
      error: 'is required; give the GitHub repository as "owner/name", e.g. "example-org/finops-landing"',
    })
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a GitHub repository; give "owner/name" as in https://github.com/owner/name (no URL, no .git, no wildcard), e.g. "example-org/finops-landing"`,
    })
    .refine((r) => !r.endsWith(".git"), {
      error: (iss) => `${JSON.stringify(iss.input)} ends in .git; give the repository as "owner/name" only`,
    }),
  /**
   * The protected GitHub environment apply.yml runs in (required reviewers, deployment branch
   * main): the apply role trusts only `repo:<repository>:environment:<environment>`. @default "production"
   */
  environment: z
    .string({ error: 'must be the name of a GitHub environment, e.g. "production"' })
    .regex(/^[A-Za-z0-9._ -]{1,255}$/, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not usable as the protected GitHub environment; use its exact name, e.g. "production" (letters, digits, . _ - and spaces; no wildcards, colons or commas, which would widen the apply role's trust)`,
    })
    .default("production"),
  /** Branch the scheduled drift job runs on: the plan role trusts its ref. @default "main" */
  defaultBranch: z
    .string({ error: 'must be a branch name, e.g. "main"' })
    .regex(/^[A-Za-z0-9._/-]{1,200}$/, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a branch name the plan role can trust; give the repository's default branch exactly, e.g. "main" (no wildcards)`,
    })
    .default("main"),
  /**
   * Activate the tag keys the providers put on every resource (<tagPrefix>:account,
   * <tagPrefix>:environment, <tagPrefix>:owner) as cost allocation tags in the management account,
   * so they appear in CUR. AWS accepts a key only after it has appeared in billing data (up to 24
   * hours after the first tagged resource): on a brand-new organization set false for the first
   * bootstrap and true a day later. @default true
   */
  costAllocationTags: z.boolean({ error: "must be true or false" }).default(true),
});

export type GitopsConfig = z.output<typeof gitopsSchema>;
