import { classifyActions, PlanFormatError, parsePlan } from "../../../deploy/plan-json";
import { summarizePlans } from "../../../deploy/plan-summary";
import { loadPlan } from "./fixtures";

describe("classifyActions", () => {
  it.each([
    [["create"], "create"],
    [["update"], "update"],
    [["delete", "create"], "replace"],
    [["create", "delete"], "replace"],
    [["delete"], "delete"],
    [["read"], "read"],
    [["no-op"], "no-op"],
    [["forget"], "forget"],
  ])("maps %j to %s", (actions, expected) => {
    expect(classifyActions(actions)).toBe(expected);
  });

  it("refuses an action list Terraform does not emit", () => {
    expect(() => classifyActions(["create", "update"])).toThrow('unknown change.actions ["create","update"]');
  });
});

describe("parsePlan", () => {
  it("names the file and the missing format_version", () => {
    expect(() => parsePlan(loadPlan("invalid/missing-format-version"), "a.json")).toThrow(
      new PlanFormatError("a.json", "not a terraform show -json plan: missing format_version"),
    );
  });

  it("recognizes a state document and says how to get the plan", () => {
    expect(() => parsePlan(loadPlan("invalid/state-not-plan"), "s.json")).toThrow(
      "s.json: not a terraform show -json plan: this is a state",
    );
  });

  it("refuses a plan format other than 1.x", () => {
    expect(() => parsePlan({ format_version: "2.0", resource_changes: [] }, "p.json")).toThrow(
      'p.json: unsupported format_version "2.0"',
    );
  });

  it.each([
    [[], "expected a JSON object, got a list"],
    [{ format_version: "1.2", resource_changes: {} }, "resource_changes is not a list"],
    [{ format_version: "1.2", resource_changes: [{ type: "x", change: { actions: [] } }] }, "has no address"],
    [
      { format_version: "1.2", resource_changes: [{ address: "a.b", type: "a", change: {} }] },
      "resource_changes[0] (a.b) has no change.actions list",
    ],
    [
      {
        format_version: "1.2",
        resource_changes: [{ address: "a.b", type: "a", change: { actions: ["x"] } }],
      },
      'resource_changes[0] (a.b): unknown change.actions ["x"]',
    ],
  ])("refuses %j: %s", (json, message) => {
    expect(() => parsePlan(json, "p.json")).toThrow(message);
  });

  it("accepts a plan without resource_changes (an empty configuration)", () => {
    const [stack] = summarizePlans([{ plan: { format_version: "1.2" }, source: "empty.json" }]).stacks;
    expect(stack.status).toBe("no-changes");
  });
});
