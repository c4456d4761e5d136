import { formatRolloutEvent, renderRolloutTable } from "../../../deploy/waves-render";
import { admin, member, members, payer, rollout } from "./waves-fixtures";

describe("formatRolloutEvent", () => {
  it("formats a finished event as a status line with progress and duration", async () => {
    const { events } = await rollout([admin, member("a")], {});
    expect(formatRolloutEvent(events[3]!)).toBe("[2/2] member-a a (300000001097) succeeded in 1.0s");
  });
});

describe("renderRolloutTable", () => {
  it("renders a per-account table with status, duration, detail and a summary", async () => {
    const { result } = await rollout(
      [admin, payer, ...members(3)],
      { maxConcurrentCount: 2 },
      { "member-m1": false },
    );
    const table = renderRolloutTable(result);
    const lines = table.split("\n");
    expect(lines[0]).toMatch(/^#\s+Wave\s+Stack\s+Account\s+Regions\s+Status\s+Duration\s+Detail$/);
    expect(table).toMatch(
      /member-m1\s+m1 \(\d{12}\)\s+us-east-1\s+failed\s+1\.0s\s+apply failed in member-m1/,
    );
    expect(table).toMatch(
      /-\s+3\s+member-m3\s+m3 \(\d{12}\)\s+us-east-1\s+skipped\s+-\s+not started: failure tolerance/,
    );
    expect(table).toContain("2 succeeded, 1 failed, 2 skipped");
    expect(table).toContain(
      "members: max 1 at once (configured 2, capped at tolerance + 1), failure tolerance 0, strict",
    );
    expect(table).toContain("stopped starting members: failure tolerance exceeded");
  });
});
