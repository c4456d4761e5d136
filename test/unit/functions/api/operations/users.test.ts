import { subOf, usernameOf } from "../../../../support/cognito-tokens";
import { caller, fixture } from "../memory-repository";
import { admin, buRetail, call, fin, nobody } from "../route-call";

describe("GET /users", () => {
  it("lists users with their groups and budget scope to Admins only", async () => {
    const { deps } = fixture();
    const res = await call(deps, admin, "GET /users");
    expect(res.body).toEqual({
      users: [
        expect.objectContaining({
          username: usernameOf("admin@example.com"),
          sub: subOf("admin@example.com"),
          email: "admin@example.com",
          emailVerified: true,
          seesAllBudgets: true,
          budgets: [],
        }),
        expect.objectContaining({
          username: usernameOf("bu-retail@example.com"),
          email: "bu-retail@example.com",
          seesAllBudgets: false,
          budgets: [{ budgetId: "retail", year: 2026, role: "owner" }],
        }),
        // Owner of "logistics" by email, but that email is not verified: no scope.
        expect.objectContaining({ email: "bu-logistics@example.com", emailVerified: false, budgets: [] }),
      ],
    });
    expect((await call(deps, fin, "GET /users")).status).toBe(403);
    expect((await call(deps, buRetail, "GET /users")).status).toBe(403);
  });
});

describe("POST /users", () => {
  it("invites a user into the given groups, who then appears in GET /users with them", async () => {
    const { deps, directory } = fixture();
    const res = await call(deps, admin, "POST /users", {
      body: { email: "New.Person@Example.com", groups: ["FinancialAdmins", "BUManagers"] },
    });
    expect(res.status).toBe(201);
    const username = usernameOf("new.person@example.com");
    expect(res.body).toEqual({
      user: expect.objectContaining({
        username,
        email: "new.person@example.com",
        emailVerified: true,
        status: "FORCE_CHANGE_PASSWORD",
        groups: ["FinancialAdmins", "BUManagers"],
      }),
    });
    expect(directory.calls).toEqual([
      "create new.person@example.com",
      `add ${username} FinancialAdmins`,
      `add ${username} BUManagers`,
    ]);
    const list = (await call(deps, admin, "GET /users")).body as {
      users: { email?: string; groups: string[] }[];
    };
    expect(list.users.find((u) => u.email === "new.person@example.com")?.groups).toEqual([
      "FinancialAdmins",
      "BUManagers",
    ]);
  });

  it.each([
    ["a FinancialAdmin", fin],
    ["a BUManager", buRetail],
    ["a user in no group", nobody],
  ])("refuses %s (403) and creates nobody", async (_, who) => {
    const { deps, directory } = fixture();
    const res = await call(deps, who, "POST /users", {
      body: { email: "x@example.com", groups: ["Admins"] },
    });
    expect(res.status).toBe(403);
    expect(directory.calls).toEqual([]);
  });

  it("answers 409 for an existing email (case-insensitive) and changes no group", async () => {
    const { deps, directory } = fixture();
    const res = await call(deps, admin, "POST /users", {
      body: { email: "BU-Retail@example.com", groups: ["Admins"] },
    });
    expect(res).toEqual({
      status: 409,
      body: {
        error: "Conflict",
        message: expect.stringMatching(/already exists.*PUT \/users\/\{username\}\/groups/),
      },
    });
    expect(directory.calls).toEqual([]);
  });

  it.each([
    [{ groups: ["Admins"] }, /email: /],
    [{ email: "not-an-email", groups: ["Admins"] }, /email: must be an email address/],
    [{ email: "x@example.com" }, /groups: /],
    [{ email: "x@example.com", groups: [] }, /groups: must name at least one group/],
    [{ email: "x@example.com", groups: ["Root"] }, /groups\.0: must be one of Admins, FinancialAdmins/],
    [{ email: "x@example.com", groups: ["Admins", "Admins"] }, /groups: must name each group at most once/],
    [{ email: "x@example.com", groups: ["Admins"], temporaryPassword: "x" }, /temporaryPassword/],
  ])("answers 400 naming the field for %j", async (body, message) => {
    const { deps, directory } = fixture();
    const res = await call(deps, admin, "POST /users", { body });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(message);
    expect(directory.calls).toEqual([]);
  });
});

describe("PUT /users/{username}/groups", () => {
  const retail = usernameOf("bu-retail@example.com");

  it("adds the missing groups and removes the others", async () => {
    const { deps, directory } = fixture();
    const res = await call(deps, admin, "PUT /users/{username}/groups", {
      path: { username: retail },
      body: { groups: ["FinancialAdmins"] },
    });
    expect(res).toEqual({
      status: 200,
      body: {
        username: retail,
        groups: ["FinancialAdmins"],
        added: ["FinancialAdmins"],
        removed: ["BUManagers"],
      },
    });
    expect(directory.calls).toEqual([`add ${retail} FinancialAdmins`, `remove ${retail} BUManagers`]);
    expect(await directory.groupsOf(retail)).toEqual(["FinancialAdmins"]);
    // The same list again changes nothing.
    directory.calls = [];
    await call(deps, admin, "PUT /users/{username}/groups", {
      path: { username: retail },
      body: { groups: ["FinancialAdmins"] },
    });
    expect(directory.calls).toEqual([]);
  });

  it.each([
    ["a FinancialAdmin", fin],
    ["a BUManager", buRetail],
    ["a user in no group", nobody],
  ])("refuses %s (403), even for their own groups", async (_, who) => {
    const { deps, directory } = fixture();
    for (const username of [retail, who.username ?? ""]) {
      const res = await call(deps, who, "PUT /users/{username}/groups", {
        path: { username },
        body: { groups: ["Admins"] },
      });
      expect(res.status).toBe(403);
    }
    expect(directory.calls).toEqual([]);
  });

  it("refuses an Admin removing their own Admins membership (409 naming why), but not adding a group", async () => {
    const { deps, directory } = fixture();
    const self = usernameOf("admin@example.com");
    const res = await call(deps, admin, "PUT /users/{username}/groups", {
      path: { username: self.toUpperCase() },
      body: { groups: ["FinancialAdmins"] },
    });
    expect(res.status).toBe(409);
    expect((res.body as { message: string }).message).toMatch(
      /cannot remove their own Admins membership.*another Admin/,
    );
    expect(directory.calls).toEqual([]);
    const keep = await call(deps, admin, "PUT /users/{username}/groups", {
      path: { username: self },
      body: { groups: ["Admins", "FinancialAdmins"] },
    });
    expect(keep.status).toBe(200);
    expect(await directory.groupsOf(self)).toEqual(["Admins", "FinancialAdmins"]);
  });

  it("lets an Admin remove another Admin's membership, unless the token names no username", async () => {
    const { deps, directory } = fixture();
    await call(deps, admin, "PUT /users/{username}/groups", {
      path: { username: retail },
      body: { groups: ["Admins"] },
    });
    const other = caller("admin2@example.com", "Admins");
    const { username: _, ...noUsername } = other;
    expect(
      (
        await call(deps, noUsername, "PUT /users/{username}/groups", {
          path: { username: retail },
          body: { groups: [] },
        })
      ).status,
    ).toBe(409);
    expect(await directory.groupsOf(retail)).toEqual(["Admins"]);
    const res = await call(deps, other, "PUT /users/{username}/groups", {
      path: { username: retail },
      body: { groups: [] },
    });
    expect(res.status).toBe(200);
    expect(await directory.groupsOf(retail)).toEqual([]);
  });

  it("answers 404 for an unknown user and 400 naming a bad username or group", async () => {
    const { deps, directory } = fixture();
    const unknown = await call(deps, admin, "PUT /users/{username}/groups", {
      path: { username: "no-such-user" },
      body: { groups: [] },
    });
    expect(unknown).toEqual({
      status: 404,
      body: { error: "NotFound", message: expect.stringMatching(/no user no-such-user/) },
    });
    const badName = await call(deps, admin, "PUT /users/{username}/groups", {
      path: { username: "a b/c" },
      body: { groups: [] },
    });
    expect(badName.status).toBe(400);
    expect((badName.body as { message: string }).message).toMatch(/username: must be a user's username/);
    const badGroup = await call(deps, admin, "PUT /users/{username}/groups", {
      path: { username: retail },
      body: { groups: ["SuperAdmins"] },
    });
    expect(badGroup.status).toBe(400);
    expect((badGroup.body as { message: string }).message).toMatch(/groups\.0: must be one of/);
    expect(directory.calls).toEqual([]);
  });
});
