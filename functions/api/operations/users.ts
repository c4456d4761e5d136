/**
 * Users of the pool, their groups and their budget scope (Admins only): listing, inviting, and
 * setting a user's groups. A user's budget scope is not stored here: it is the budgets whose owner
 * or managers are the user's verified email, assigned through the budgets (PATCH /budgets).
 */
import type { Group } from "../../../contracts/api";
import {
  type Caller,
  conflict,
  displayName,
  forbidden,
  isFinance,
  managesBudget,
  notFound,
  requireMember,
} from "../domain";
import { type ApiDeps, ConflictError } from "../repository";
import { ok, type Result } from "./common";

function requireAdmin(caller: Caller, what: string): void {
  requireMember(caller);
  if (!caller.groups.includes("Admins")) throw forbidden(`only Admins may ${what}`);
}

/**
 * The pool's users with their groups and budget scope. A user's scope is computed as for a caller:
 * budgets whose owner or managers are the user's email, only if that email is verified.
 */
export async function listUsers(deps: ApiDeps, caller: Caller): Promise<Result> {
  requireAdmin(caller, "list users and their scope");
  const [users, budgets] = await Promise.all([deps.users.listUsers(), deps.repo.listBudgets()]);
  return ok({
    users: users.map((u) => {
      const asCaller: Caller = {
        sub: u.sub ?? "",
        ...(u.email && u.emailVerified ? { email: u.email } : {}),
        groups: u.groups,
      };
      const scope = budgets
        .filter((b) => managesBudget(asCaller, b))
        .map((b) => ({
          budgetId: b.budgetId,
          year: b.year,
          role: asCaller.email?.toLowerCase() === b.owner.toLowerCase() ? "owner" : "manager",
        }));
      return { ...u, seesAllBudgets: isFinance(asCaller), budgets: scope };
    }),
  });
}

/**
 * POST /users: invites a user by email into the given groups. Cognito creates the user with the
 * email verified (the invitation, with a temporary password, goes to that address, so only its
 * holder can sign in) and sends the invitation; then adds the groups.
 */
export async function inviteUser(
  deps: ApiDeps,
  caller: Caller,
  body: { email: string; groups: readonly Group[] },
): Promise<Result> {
  requireAdmin(caller, "invite users");
  let user: Awaited<ReturnType<ApiDeps["users"]["createUser"]>>;
  try {
    user = await deps.users.createUser(body.email);
  } catch (e) {
    if (e instanceof ConflictError)
      throw conflict(
        `a user with email ${body.email} already exists; change their groups with PUT /users/{username}/groups`,
      );
    throw e;
  }
  for (const g of body.groups) await deps.users.addToGroup(user.username, g);
  return { status: 201, body: { user: { ...user, groups: [...body.groups] } } };
}

/**
 * PUT /users/{username}/groups: makes the user's FinOps groups exactly `groups` (adds the missing,
 * removes the others). An Admin cannot remove their own Admins membership (it would lock the
 * organization's user administration out when they are the last Admin).
 */
export async function setUserGroups(
  deps: ApiDeps,
  caller: Caller,
  username: string,
  body: { groups: readonly Group[] },
): Promise<Result> {
  requireAdmin(caller, "change users' groups");
  const current = await deps.users.groupsOf(username);
  if (current === undefined) throw notFound(`no user ${username}; take the username from GET /users`);
  const removed = current.filter((g) => !body.groups.includes(g));
  const added = body.groups.filter((g) => !current.includes(g));
  if (removed.includes("Admins") && isSelf(caller, username))
    throw conflict(
      `${displayName(caller)} cannot remove their own Admins membership (it would lock them out of user administration); another Admin must do it`,
    );
  for (const g of added) await deps.users.addToGroup(username, g);
  for (const g of removed) await deps.users.removeFromGroup(username, g);
  return ok({ username, groups: [...body.groups], added, removed });
}

/**
 * Whether the username is the caller's own: `cognito:username` of the caller's ID token (usernames
 * are case-insensitive in this pool). Without it in the token the caller is assumed to be the
 * user, so an Admin's own Admins membership is never removed by mistake.
 */
function isSelf(caller: Caller, username: string): boolean {
  return caller.username === undefined || caller.username.toLowerCase() === username.toLowerCase();
}
