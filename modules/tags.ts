import type { AccountConfig } from "../config/schema";

export const MANAGED_BY = "finops-landing";

/** Default tags every provider puts on every resource of an account's stack. */
export function defaultTags(
  config: AccountConfig,
  account: { name: string; environment: string; owner: string },
): Record<string, string> {
  const p = config.organization.tagPrefix;
  return {
    [`${p}:account`]: account.name,
    [`${p}:environment`]: account.environment,
    [`${p}:owner`]: account.owner,
    "managed-by": MANAGED_BY,
  };
}
