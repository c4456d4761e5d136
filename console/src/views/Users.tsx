import { useState } from "react";
import { GROUPS } from "../../../contracts/api";
import { inviteUserBody, userGroupsBody } from "../../../functions/api/schemas";
import type { Api, UserRow } from "../api";
import { FieldError, Form, type FormState, useForm } from "../forms/Form";
import { DataTable, Status, useLoad } from "../ui";
import { check } from "../validate";

/**
 * Users, their groups and budget scope (Admins only): invite a user by email into groups, and set
 * a user's groups (POST /users, PUT /users/{username}/groups). A user's budget scope is not set
 * here: it is the budgets whose owner or managers are their verified email (Budgets view).
 */
export function Users({ api }: { api: Api }) {
  const users = useLoad(() => api.users(), []);
  const [notice, setNotice] = useState("");
  const done = (text: string) => {
    setNotice(text);
    users.reload();
  };
  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title">Users</h2>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
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
      <InviteForm api={api} onDone={done} />
      {users.data && users.data.users.length > 0 && (
        <GroupsForm api={api} users={users.data.users} onDone={done} />
      )}
      <p className="muted">
        A user's budget scope is the budgets whose owner or managers are their verified email: set it on the
        budget (Budgets view).
      </p>
    </section>
  );
}

/** One checkbox per FinOps group, in a fieldset whose error names the field. */
function GroupBoxes({
  form,
  value,
  onChange,
}: {
  form: FormState;
  value: readonly string[];
  onChange(groups: string[]): void;
}) {
  return (
    <fieldset {...form.fieldProps("groups")}>
      <legend>Groups</legend>
      {GROUPS.map((g) => (
        <label key={g} htmlFor={`${form.id}-group-${g}`} className="checkbox">
          <input
            type="checkbox"
            id={`${form.id}-group-${g}`}
            checked={value.includes(g)}
            onChange={(e) =>
              onChange(
                e.target.checked
                  ? GROUPS.filter((x) => x === g || value.includes(x))
                  : value.filter((x) => x !== g),
              )
            }
          />{" "}
          {g}
        </label>
      ))}
      <FieldError form={form} field="groups" label="Groups" />
    </fieldset>
  );
}

function InviteForm({ api, onDone }: { api: Api; onDone(text: string): void }) {
  const [email, setEmail] = useState("");
  const [groups, setGroups] = useState<string[]>([]);
  const form = useForm("invite", {
    validate: () => check(inviteUserBody, { email, groups }),
    send: async (value) => {
      await api.inviteUser(value);
      setEmail("");
      setGroups([]);
      return `Invited ${value.email} (${value.groups.join(", ")}); Cognito emailed a temporary password.`;
    },
    onDone,
  });
  return (
    <Form form={form} title="Invite a user" submitLabel="Invite">
      <label htmlFor="invite-email">Email</label>
      <input
        id="invite-email"
        type="email"
        autoComplete="off"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        {...form.fieldProps("email")}
      />
      <FieldError form={form} field="email" label="Email" />
      <GroupBoxes form={form} value={groups} onChange={setGroups} />
    </Form>
  );
}

function GroupsForm({
  api,
  users,
  onDone,
}: {
  api: Api;
  users: readonly UserRow[];
  onDone(text: string): void;
}) {
  const [username, setUsername] = useState(users[0]!.username);
  const user = users.find((u) => u.username === username) ?? users[0]!;
  const [edited, setEdited] = useState<{ username: string; groups: string[] } | undefined>();
  const groups = edited?.username === user.username ? edited.groups : [...user.groups];
  const name = user.email ?? user.username;
  const form = useForm("groups", {
    validate: () => check(userGroupsBody, { groups }),
    send: async (value) => {
      const res = await api.setUserGroups(user.username, value.groups);
      setEdited(undefined);
      return `Groups of ${name}: ${res.body.groups.join(", ") || "none"}.`;
    },
    onDone,
  });
  return (
    <Form form={form} title="Change a user's groups" submitLabel="Save groups">
      <label htmlFor="groups-user">User</label>
      <select
        id="groups-user"
        value={user.username}
        onChange={(e) => {
          setUsername(e.target.value);
          form.setErrors({});
        }}
      >
        {users.map((u) => (
          <option key={u.username} value={u.username}>
            {u.email ?? u.username}
          </option>
        ))}
      </select>
      <GroupBoxes
        form={form}
        value={groups}
        onChange={(g) => setEdited({ username: user.username, groups: g })}
      />
    </Form>
  );
}
