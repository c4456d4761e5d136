import { createBudgetsHandler } from "./budgets";
import { createDataExportsHandler } from "./data-exports";
import { createLogsQueryDefinitionsHandler } from "./logs-query-definitions";
import { createOrganizationsResourcePolicyHandler } from "./organizations-resource-policy";
import type { GapHandler } from "./server";
import { createStepFunctionsValidateHandler } from "./stepfunctions-validate";

/**
 * Every emulated operation the gap-filler answers. Each entry is a named handler module; a service
 * listed in GAP_FILLED_SERVICES (contracts/emulator.ts, provider endpoint keys) is routed here by the
 * provider factory in the local target. Add a handler and its service together.
 */
export const GAP_HANDLERS: readonly GapHandler[] = [
  createDataExportsHandler(),
  createBudgetsHandler(),
  createLogsQueryDefinitionsHandler(),
  createStepFunctionsValidateHandler(),
  createOrganizationsResourcePolicyHandler(),
];
