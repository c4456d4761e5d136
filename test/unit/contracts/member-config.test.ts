import {
  encodeMemberConfig,
  MEMBER_CONFIG_KIND,
  type MemberConfig,
  memberConfigMaps,
  parseMemberConfig,
} from "../../../contracts/member-config";

/** n accounts with ids 100000000000…, every third with a budget. */
function accounts(n: number): MemberConfig {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      String(100000000000 + i),
      i % 3 === 0 ? { environment: "prod", monthlyUsd: 1000 + i } : { environment: "dev" },
    ]),
  );
}

describe("the member config document", () => {
  it("encodes stable bytes: envelope first, account ids sorted, fields sorted, one account a line", () => {
    const text = encodeMemberConfig({
      "444444444444": { monthlyUsd: 12000, environment: "prod" },
      "333333333333": { environment: "dev", monthlyUsd: 1500 },
      "555555555555": { environment: "sandbox" },
    });
    expect(text).toBe(
      [
        '{"kind":"finops-landing/member-config","version":1,"accounts":{',
        '"333333333333":{"environment":"dev","monthlyUsd":1500},',
        '"444444444444":{"environment":"prod","monthlyUsd":12000},',
        '"555555555555":{"environment":"sandbox"}',
        "}}",
        "",
      ].join("\n"),
    );
    // The same members in another order: the same bytes.
    expect(
      encodeMemberConfig({
        "555555555555": { environment: "sandbox" },
        "333333333333": { environment: "dev", monthlyUsd: 1500 },
        "444444444444": { environment: "prod", monthlyUsd: 12000 },
      }),
    ).toBe(text);
    expect(encodeMemberConfig({})).toBe(`{"kind":"${MEMBER_CONFIG_KIND}","version":1,"accounts":{}}\n`);
  });

  it("round-trips, and gives the API its maps (budgets only for the accounts that have one)", () => {
    const config = accounts(7);
    expect(parseMemberConfig(encodeMemberConfig(config))).toEqual(config);
    const maps = memberConfigMaps(parseMemberConfig(encodeMemberConfig(config)));
    expect([...maps.budgets]).toEqual([
      ["100000000000", 1000],
      ["100000000003", 1003],
      ["100000000006", 1006],
    ]);
    expect(maps.environments.size).toBe(7);
    expect(maps.environments.get("100000000001")).toBe("dev");
  });

  it("holds 5,000 accounts, none dropped (no 4 KB limit)", () => {
    const config = accounts(5000);
    const text = encodeMemberConfig(config);
    expect(text.split("\n")).toHaveLength(5000 + 3);
    const maps = memberConfigMaps(parseMemberConfig(text));
    expect(maps.environments.size).toBe(5000);
    expect(maps.budgets.size).toBe(1667);
    expect(maps.budgets.get("100000004998")).toBe(5998);
  });

  it.each([
    ["not json", "member config: (document): is not JSON"],
    ["[]", "member config: (document): must be a JSON object"],
    [
      '{"kind":"other","version":1,"accounts":{}}',
      'member config: kind: "other" is not "finops-landing/member-config"',
    ],
    [
      '{"kind":"finops-landing/member-config","version":2,"accounts":{}}',
      "member config: version: 2 is not a version this API reads (1)",
    ],
    ['{"kind":"finops-landing/member-config","version":1}', "member config: accounts: must be an object"],
    [
      '{"kind":"finops-landing/member-config","version":1,"accounts":[]}',
      "member config: accounts: must be an object",
    ],
    [
      '{"kind":"finops-landing/member-config","version":1,"accounts":{},"extra":1}',
      "member config: extra: is not a field of version 1",
    ],
    [
      '{"kind":"finops-landing/member-config","version":1,"accounts":{"3333":{"environment":"dev"}}}',
      'member config: accounts["3333"]: is not a 12-digit account id',
    ],
    [
      '{"kind":"finops-landing/member-config","version":1,"accounts":{"333333333333":"dev"}}',
      'member config: accounts["333333333333"]: must be an object',
    ],
    [
      '{"kind":"finops-landing/member-config","version":1,"accounts":{"333333333333":{}}}',
      'member config: accounts["333333333333"].environment: undefined is not an environment (members[].environment)',
    ],
    [
      '{"kind":"finops-landing/member-config","version":1,"accounts":{"333333333333":{"environment":"Dev"}}}',
      'member config: accounts["333333333333"].environment: "Dev" is not an environment',
    ],
    [
      '{"kind":"finops-landing/member-config","version":1,"accounts":{"333333333333":{"environment":"dev","monthlyUsd":0}}}',
      'member config: accounts["333333333333"].monthlyUsd: 0 is not a positive monthly USD amount (members[].budget.monthlyUsd)',
    ],
    [
      '{"kind":"finops-landing/member-config","version":1,"accounts":{"333333333333":{"environment":"dev","monthlyUsd":"1500"}}}',
      'member config: accounts["333333333333"].monthlyUsd: "1500" is not a positive monthly USD amount',
    ],
    [
      '{"kind":"finops-landing/member-config","version":1,"accounts":{"333333333333":{"environment":"dev","owner":"x"}}}',
      'member config: accounts["333333333333"].owner: is not a field of version 1',
    ],
  ])("refuses %s naming the field", (text, message) => {
    expect(() => parseMemberConfig(text)).toThrow(message);
    expect(() => parseMemberConfig(text)).toThrow("deploy the admin stack");
  });

  it("refuses to encode what it would refuse to read", () => {
    expect(() => encodeMemberConfig({ "12": { environment: "dev" } })).toThrow(
      'accounts["12"]: is not a 12-digit account id',
    );
    expect(() => encodeMemberConfig({ "333333333333": { environment: "dev", monthlyUsd: -5 } })).toThrow(
      'accounts["333333333333"].monthlyUsd: -5 is not a positive',
    );
  });
});
