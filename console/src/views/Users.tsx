import { useState } from "react";
import { GROUPS } from "../../../contracts/api";
import { inviteUserBody, userGroupsBody } from "../../../functions/api/schemas";
import type { Api, UserRow } from "../api";
import { DataTable, ErrorMessage, Status, useLoad } from "../ui";
import { check, type FieldErrors } from "../validate";

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
  idPrefix,
  value,
  onChange,
  error,
}: {
  idPrefix: string;
  value: readonly string[];
  onChange(groups: string[]): void;
  error?: string | undefined;
}) {
  return (
    <fieldset
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? `${idPrefix}-groups-error` : undefined}
    >
      <legend>Groups</legend>
      {GROUPS.map((g) => (
        <label key={g} htmlFor={`${idPrefix}-group-${g}`} className="checkbox">
          <input
            type="checkbox"
            id={`${idPrefix}-group-${g}`}
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
      {error && (
        <span className="field-error" id={`${idPrefix}-groups-error`}>
          Groups: {error}
        </span>
      )}
    </fieldset>
  );
}

function InviteForm({ api, onDone }: { api: Api; onDone(text: string): void }) {
  const [email, setEmail] = useState("");
  const [groups, setGroups] = useState<string[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const parsed = check(inviteUserBody, { email, groups });
    if (!parsed.ok) return setErrors(parsed.errors);
    setBusy(true);
    try {
      await api.inviteUser(parsed.value);
      setErrors({});
      setEmail("");
      setGroups([]);
      onDone(
        `Invited ${parsed.value.email} (${parsed.value.groups.join(", ")}); Cognito emailed a temporary password.`,
      );
    } catch (e) {
      setErrors({ form: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="card-form"
      aria-labelledby="invite-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id="invite-title">Invite a user</h3>
      <label htmlFor="invite-email">Email</label>
      <input
        id="invite-email"
        type="email"
        autoComplete="off"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        aria-invalid={errors.email ? true : undefined}
        aria-describedby={errors.email ? "invite-email-error" : undefined}
      />
      {errors.email && (
        <span className="field-error" id="invite-email-error">
          Email: {errors.email}
        </span>
      )}
      <GroupBoxes idPrefix="invite" value={groups} onChange={setGroups} error={errors.groups} />
      {errors.form && <ErrorMessage>{errors.form}</ErrorMessage>}
      <button type="submit" disabled={busy}>
        Invite
      </button>
    </form>
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
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const name = user.email ?? user.username;
  const submit = async () => {
    const parsed = check(userGroupsBody, { groups });
    if (!parsed.ok) return setErrors(parsed.errors);
    setBusy(true);
    try {
      const res = await api.setUserGroups(user.username, parsed.value.groups);
      setErrors({});
      setEdited(undefined);
      onDone(`Groups of ${name}: ${res.body.groups.join(", ") || "none"}.`);
    } catch (e) {
      setErrors({ form: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="card-form"
      aria-labelledby="groups-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id="groups-title">Change a user's groups</h3>
      <label htmlFor="groups-user">User</label>
      <select
        id="groups-user"
        value={user.username}
        onChange={(e) => {
          setUsername(e.target.value);
          setErrors({});
        }}
      >
        {users.map((u) => (
          <option key={u.username} value={u.username}>
            {u.email ?? u.username}
          </option>
        ))}
      </select>
      <GroupBoxes
        idPrefix="groups"
        value={groups}
        onChange={(g) => setEdited({ username: user.username, groups: g })}
        error={errors.groups}
      />
      {errors.form && <ErrorMessage>{errors.form}</ErrorMessage>}
      <button type="submit" disabled={busy}>
        Save groups
      </button>
    </form>
  );
}
