/**
 * The environment of each member account (members[].environment of the accounts config), as the
 * FinOps API names it when it filters spend by environment (GET /spend?environment=, docs/api.md).
 * The environments themselves reach the API in the member config document (contracts/member-config.ts).
 */
export { CONFIG_ENVIRONMENT_FIELD } from "./member-config";
