/**
 * Names the GitOps path shares between the bootstrap stack (which creates the roles and the state
 * bucket), the workflows' scripts (which assume them and store saved plans) and the docs
 * (docs/gitops.md). One place, so the role a workflow assumes is the role the bootstrap made.
 */

/** Role names, the same in every organization. */
export const GITOPS_ROLE_NAMES = {
  /** Management account: pull-request plans and drift, through GitHub OIDC. Reads state; assumes only the read roles. */
  plan: "finops-landing-plan",
  /** Management account: applies, through GitHub OIDC, only from the protected environment. Assumes the deploy roles. */
  apply: "finops-landing-apply",
  /** Every account: what plans run as (ReadOnlyAccess plus the few reads a plan needs). Trusts only the plan role. */
  read: "finops-landing-read",
} as const;

/** The GitHub Actions OIDC issuer (token.actions.githubusercontent.com) and the audience STS expects. */
export const GITHUB_OIDC = {
  host: "token.actions.githubusercontent.com",
  url: "https://token.actions.githubusercontent.com",
  audience: "sts.amazonaws.com",
} as const;

/**
 * Saved plans live in the state bucket under `<stateBackend.keyPrefix>/<PLAN_STORE_PREFIX>/…`
 * (keyed by pull request and commit by the workflow scripts). The bootstrap stack gives the plan
 * role PutObject/GetObject there and the apply role GetObject only.
 */
export const PLAN_STORE_PREFIX = "plans";

/** The bootstrap stack's name (stacks/bootstrap-stack.ts): applied by a human with `npm run bootstrap`, never by the rollout. */
export const BOOTSTRAP_STACK = "bootstrap";
