import type { Api, UserRow } from "../api";
import { DataTable, Status, useLoad } from "../ui";

/**
 * Users, their groups and budget scope (Admins only). Inviting users and assigning groups need API
 * operations the API does not have yet (docs/console.md, "Not yet"); this view lists them.
 */
export function Users({ api }: { api: Api }) {
  const users = useLoad(() => api.users(), []);
  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title">Users</h2>
      <Status loaded={users} />
      {users.data && (
        <DataTable
          caption="Users and their scope"
          csvName="users"
          testId="users"
          columns={[
            { header: "Email", value: (u: UserRow) => u.email ?? u.username },
            { header: "Verified", value: (u) => (u.emailVerified ? "yes" : "no") },
            {
              header: "Status",
              value: (u) => `${u.enabled ? "enabled" : "disabled"} ${u.status ?? ""}`.trim(),
            },
            { header: "Groups", value: (u) => u.groups.join(", ") },
            {
              header: "Scope",
              value: (u) =>
                u.seesAllBudgets
                  ? "all budgets"
                  : u.budgets.map((b) => `${b.budgetId} ${b.year} (${b.role})`).join("; "),
            },
          ]}
          rows={users.data.users}
          rowKey={(u) => u.username}
        />
      )}
    </section>
  );
}
