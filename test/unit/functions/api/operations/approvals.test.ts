import { fixture } from "../memory-repository";
import { admin, buRetail, call, fin, fin2 } from "../route-call";

describe("approvals", () => {
  async function pending() {
    const f = fixture();
    await call(f.deps, fin, "PATCH /budgets/{budgetId}/{year}", {
      path: { budgetId: "retail", year: "2026" },
      body: { amountUsd: 500_000, reason: "new product line" },
    });
    const c = f.repo.changes.get("change-0001")!;
    f.repo.changes.set(c.changeId, { ...c, taskToken: "token-1" });
    return f;
  }

  it("lets another FinancialAdmin approve: the change is decided and the workflow step completed", async () => {
    const { deps, repo, workflow } = await pending();
    const res = await call(deps, fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-0001" },
      body: { decision: "approve", note: "fine" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      change: { status: "approved", decidedBy: fin2.sub, decidedByEmail: "fin2@example.com" },
    });
    expect(JSON.stringify(res.body)).not.toContain("token-1");
    expect(workflow.completed).toEqual([{ taskToken: "token-1", decision: "approve", by: fin2.sub }]);
    expect(repo.changes.get("change-0001")?.status).toBe("approved");
    const again = await call(deps, fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-0001" },
      body: { decision: "reject" },
    });
    expect(again.status).toBe(409);
  });

  it("refuses the submitter's own decision, and Admins or managers who are not FinancialAdmins", async () => {
    const { deps, workflow } = await pending();
    for (const who of [fin, admin, buRetail]) {
      const res = await call(deps, who, "POST /approvals/{changeId}/decision", {
        path: { changeId: "change-0001" },
        body: { decision: "approve" },
      });
      expect(res.status).toBe(403);
    }
    expect(workflow.completed).toEqual([]);
  });

  it("answers 409 while the workflow has not reached the approval step", async () => {
    const { deps, repo } = await pending();
    const c = repo.changes.get("change-0001")!;
    repo.changes.set(c.changeId, { ...c, taskToken: undefined });
    const res = await call(deps, fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-0001" },
      body: { decision: "approve" },
    });
    expect(res.status).toBe(409);
  });

  it("rejects a bad decision naming the field, and a missing change with 404", async () => {
    const { deps } = await pending();
    const bad = await call(deps, fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-0001" },
      body: { decision: "maybe" },
    });
    expect((bad.body as { message: string }).message).toBe(
      'invalid body: decision: must be "approve" or "reject"',
    );
    const missing = await call(deps, fin2, "POST /approvals/{changeId}/decision", {
      path: { changeId: "change-9999" },
      body: { decision: "approve" },
    });
    expect(missing.status).toBe(404);
  });

  it("lists changes for finance without task tokens, and refuses managers", async () => {
    const { deps } = await pending();
    const res = await call(deps, fin, "GET /approvals", { query: { status: "pending" } });
    expect((res.body as { changes: unknown[] }).changes).toHaveLength(1);
    expect(JSON.stringify(res.body)).not.toContain("token-1");
    expect((await call(deps, buRetail, "GET /approvals")).status).toBe(403);
    const bad = await call(deps, fin, "GET /approvals", { query: { status: "open" } });
    expect(bad.status).toBe(400);
  });
});
