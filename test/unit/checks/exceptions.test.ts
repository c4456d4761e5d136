import type { Violation } from "../../../checks/engine";
import {
  applyExceptions,
  globToRegExp,
  SECURITY_EXCEPTIONS,
  type SecurityException,
  validateExceptions,
} from "../../../checks/exceptions";

const violation: Violation = {
  stack: "admin",
  address: "aws_apigatewayv2_route.api_health_1A2B3C",
  path: "admin/api/health/route",
  rule: "api.route-authorized",
  message: "route GET /health has no authorizer",
};

const reason = "the health route returns a constant and is called by the load balancer";

describe("security exceptions", () => {
  it("refuses an exception without a reason", () => {
    expect(() =>
      validateExceptions([{ rule: "api.route-authorized", resource: "admin/api/health/*", reason: "" }]),
    ).toThrow(/exception 0 \(api\.route-authorized on admin\/api\/health\/\*\): has no reason/);
  });

  it("refuses a reason too short to be checked", () => {
    expect(() =>
      validateExceptions([{ rule: "api.route-authorized", resource: "admin/api/health/*", reason: "n/a" }]),
    ).toThrow(/has no reason \(at least 20 characters/);
  });

  it("refuses an exception to a rule that does not exist, listing every bad entry at once", () => {
    const bad: SecurityException[] = [
      { rule: "s3.no-such-rule", resource: "admin/x", reason },
      { rule: "api.route-authorized", resource: " ", reason },
    ];
    expect(() => validateExceptions(bad)).toThrow(
      /2 invalid security exception\(s\)[\s\S]*no rule named "s3\.no-such-rule"[\s\S]*names no resource/,
    );
  });

  it("refuses the whole run when the list holds a bad entry, instead of ignoring it", () => {
    expect(() =>
      applyExceptions([violation], [{ rule: "api.route-authorized", resource: "**", reason: "" }]),
    ).toThrow(/has no reason/);
  });

  it("moves a violation whose rule and construct path match to the excepted list", () => {
    const exception = { rule: "api.route-authorized", resource: "admin/api/health/*", reason };
    const report = applyExceptions([violation], [exception]);
    expect(report.violations).toEqual([]);
    expect(report.excepted.map((e) => e.exception.reason)).toEqual([reason]);
  });

  it("does not except another rule on the same resource", () => {
    const report = applyExceptions(
      [violation],
      [{ rule: "api.access-logs", resource: "admin/api/health/*", reason }],
    );
    expect(report.violations.map((v) => v.rule)).toEqual(["api.route-authorized"]);
  });

  it("does not except the resource in another stack when the exception names a stack", () => {
    const report = applyExceptions(
      [{ ...violation, stack: "payer", path: "payer/api/health/route" }],
      [{ rule: "api.route-authorized", resource: "*/api/health/*", stack: "admin", reason }],
    );
    expect(report.violations).toHaveLength(1);
  });

  it("matches * within one path segment and ** across segments", () => {
    expect(globToRegExp("admin/*/route").test("admin/api/route")).toBe(true);
    expect(globToRegExp("admin/*/route").test("admin/api/health/route")).toBe(false);
    expect(globToRegExp("admin/**/route").test("admin/api/health/route")).toBe(true);
    expect(globToRegExp("aws_s3_bucket.cur*").test("aws_s3_bucket.cur-replica_81D9C953")).toBe(true);
  });

  it("ships a valid exception list", () => {
    expect(() => validateExceptions(SECURITY_EXCEPTIONS)).not.toThrow();
  });
});
