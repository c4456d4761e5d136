import { ConfigError, failureMessage } from "../../../config/load";

class LocatedError extends Error {}

describe("failureMessage: the one line every command prints when it fails", () => {
  it("prints a config error's located issues as they are", () => {
    const e = new ConfigError("accounts/x.yaml", [
      { path: "payer.id", message: "must be 12 digits", line: 3, column: 7 } as never,
    ]);
    expect(failureMessage(e, "plan")).toBe(e.message);
    expect(failureMessage(e, "plan")).toContain("accounts/x.yaml");
  });

  it("prints errors of the located classes as they are and prefixes anything else with the context", () => {
    expect(failureMessage(new LocatedError("member-a: retired twice"), "deploy", LocatedError)).toBe(
      "member-a: retired twice",
    );
    expect(failureMessage(new Error("EACCES: permission denied"), "cur:backfill")).toBe(
      "cur:backfill: EACCES: permission denied",
    );
    expect(failureMessage("not an error", "drift")).toBe("drift: not an error");
  });
});
