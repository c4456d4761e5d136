import { parseAccountSyncEvent, triggerOf } from "../../../../functions/account-sync/events";

describe("account-sync events", () => {
  it("accepts the schedule, CreateAccountResult and a manual run", () => {
    expect(triggerOf(parseAccountSyncEvent({ source: "aws.events", "detail-type": "Scheduled Event" }))).toBe(
      "schedule",
    );
    expect(
      triggerOf(
        parseAccountSyncEvent({
          source: "aws.organizations",
          "detail-type": "AWS Service Event via CloudTrail",
          detail: {
            eventName: "CreateAccountResult",
            serviceEventDetails: { createAccountStatus: { accountId: "666666666666", state: "SUCCEEDED" } },
          },
        }),
      ),
    ).toBe("account-created 666666666666 (SUCCEEDED)");
    expect(triggerOf(parseAccountSyncEvent({ trigger: "manual" }))).toBe("manual");
  });

  it.each([
    {},
    {
      source: "aws.organizations",
      "detail-type": "AWS API Call via CloudTrail",
      detail: { eventName: "CreateAccount" },
    },
  ])("refuses %j, saying which events it handles", (event) => {
    expect(() => parseAccountSyncEvent(event)).toThrow(/runs on its schedule/);
  });
});
