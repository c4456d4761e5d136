import { PREVENT_DESTROY_TYPES } from "../../contracts/data-stores";
import type { Rule } from "../engine";
import { block } from "../stack-view";
import { isTrue } from "./helpers";

/** Data stores (contracts/data-stores.ts): prevent_destroy as the config asks. */
export const DATA_STORE_RULES: readonly Rule[] = [
  {
    id: "data-store.prevent-destroy",
    title:
      "data stores (contracts/data-stores.ts) carry prevent_destroy, and do not when organization.allowDataStoreDestroy is set",
    check: (v, settings) =>
      v
        .ofType(...PREVENT_DESTROY_TYPES)
        .filter((r) => isTrue(block(r.body.lifecycle).prevent_destroy) === settings.allowDataStoreDestroy)
        .map((resource) => ({
          resource,
          message: settings.allowDataStoreDestroy
            ? "carries prevent_destroy although the config allows destroying data stores (the throw-away org could not be torn down)"
            : "holds data but has no lifecycle.prevent_destroy",
        })),
  },
];
