import { subOf, usernameOf } from "../../../../support/cognito-tokens";
import { fixture } from "../memory-repository";
import { admin, buRetail, call, fin } from "../route-call";

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
