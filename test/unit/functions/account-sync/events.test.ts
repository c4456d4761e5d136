import { parseAccountSyncEvent, triggerOf } from "../../../../functions/account-sync/events";

/**
 * Event shapes from AWS docs (sources in contracts/organizations-events.ts): CreateAccountResult is a
 * CloudTrail service event ("AWS Service Event via CloudTrail", serviceEventDetails.createAccountStatus
 * as in the Organizations user guide's CloudTrail example); account-state changes are API calls
 * ("AWS API Call via CloudTrail", the call's parameters in requestParameters).
 */
describe("account-sync events", () => {
  it("accepts the schedule, CreateAccountResult, account-state API calls and a manual run", () => {
    expect(triggerOf(parseAccountSyncEvent({ source: "aws.events", "detail-type": "Scheduled Event" }))).toBe(
      "schedule",
    );
    expect(
      triggerOf(
        parseAccountSyncEvent({
          source: "aws.organizations",
          "detail-type": "AWS Service Event via CloudTrail",
          detail: {
            eventSource: "organizations.amazonaws.com",
            eventName: "CreateAccountResult",
            eventType: "AwsServiceEvent",
            serviceEventDetails: {
              createAccountStatus: {
                id: "car-examplecreateaccountrequestid111",
                accountId: "666666666666",
                state: "SUCCEEDED",
              },
            },
          },
        }),
      ),
    ).toBe("account-created 666666666666 (SUCCEEDED)");
    expect(
      triggerOf(
        parseAccountSyncEvent({
          source: "aws.organizations",
          "detail-type": "AWS API Call via CloudTrail",
          detail: {
            eventSource: "organizations.amazonaws.com",
            eventName: "CloseAccount",
            eventType: "AwsApiCall",
            requestParameters: { accountId: "666666666666" },
          },
        }),
      ),
    ).toBe("CloseAccount 666666666666");
    expect(triggerOf(parseAccountSyncEvent({ trigger: "manual" }))).toBe("manual");
  });

  it.each([
    {},
    {
      source: "aws.organizations",
      "detail-type": "AWS API Call via CloudTrail",
      detail: { eventName: "CreateAccount" },
    },
    // CreateAccountResult is a service event, never an API call (AWS docs above).
    {
      source: "aws.organizations",
      "detail-type": "AWS API Call via CloudTrail",
      detail: { eventName: "CreateAccountResult" },
    },
  ])("refuses %j, saying which events it handles", (event) => {
    expect(() => parseAccountSyncEvent(event)).toThrow(/runs on its schedule.*CloseAccount/);
  });
});
