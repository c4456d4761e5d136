import { loadAccountConfig } from "../../../../config/load";
import {
  CONFIG_ENVIRONMENTS_ENV,
  CONFIG_ENVIRONMENTS_MAX_CHARS,
  encodeConfigEnvironments,
  parseConfigEnvironments,
} from "../../../../contracts/account-environments";
import { resourcesOf, type StackJson, synthConfig } from "../../../support/synth";

describe("the members' environments in the API function's environment", () => {
  it("round-trips, grouped by environment in a stable order", () => {
    const text = encodeConfigEnvironments({
      "444444444444": "prod",
      "333333333333": "dev",
      "222222222222": "prod",
    });
    expect(text).toBe('{"dev":["333333333333"],"prod":["222222222222","444444444444"]}');
    expect([...parseConfigEnvironments(text)].sort()).toEqual([
      ["222222222222", "prod"],
      ["333333333333", "dev"],
      ["444444444444", "prod"],
    ]);
    expect(parseConfigEnvironments(undefined).size).toBe(0);
  });

  it.each([
    ["not json", "CONFIG_ACCOUNT_ENVIRONMENTS is not JSON"],
    ["[]", "CONFIG_ACCOUNT_ENVIRONMENTS must be a JSON object"],
    ['{"dev":"333333333333"}', 'CONFIG_ACCOUNT_ENVIRONMENTS: "dev": "333333333333" is not an environment'],
    ['{"dev":["3333"]}', 'CONFIG_ACCOUNT_ENVIRONMENTS: "dev": ["3333"] is not'],
  ])("refuses %s naming the variable", (text, message) => {
    expect(() => parseConfigEnvironments(text)).toThrow(message);
  });

  it("leaves the variable out when the members do not fit next to the budgets in Lambda's 4 KB", () => {
    const members = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [String(100000000000 + i), "prod"] as const));
    expect(encodeConfigEnvironments(members(55))!.length).toBeLessThanOrEqual(CONFIG_ENVIRONMENTS_MAX_CHARS);
    expect(encodeConfigEnvironments(members(80))).toBeUndefined();
    expect(encodeConfigEnvironments({})).toBeUndefined();
  });
});

describe("the environments the API function gets", () => {
  it("are every non-retired member's environment, in the API function's environment", () => {
    // accounts/local.yaml: app-dev dev, app-prod prod, sandbox-data sandbox.
    const admin = synthConfig(loadAccountConfig("accounts/local.yaml")).stacks.admin as StackJson;
    const api = resourcesOf(admin).find(
      ([t, , r]) => t === "aws_lambda_function" && String(r.function_name).endsWith("-api"),
    )![2];
    expect(parseConfigEnvironments(api.environment.variables[CONFIG_ENVIRONMENTS_ENV])).toEqual(
      new Map([
        ["333333333333", "dev"],
        ["444444444444", "prod"],
        ["555555555555", "sandbox"],
      ]),
    );
  });
});
