/**
 * The Organizations events that make account-sync run at once instead of waiting for its schedule,
 * as one definition for the payer's forwarding rule (modules/payer/org-events-forwarding.ts), the
 * admin's rule on the central bus (modules/data-platform/account-sync.ts) and the function's parser
 * (functions/account-sync/events.ts).
 *
 * AWS formats (never the emulator's):
 * - Organizations sends its events to EventBridge only through CloudTrail, `source` aws.organizations
 *   (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-organizations.html), and all of
 *   its CloudTrail information is in US East (N. Virginia) only
 *   (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_cloudtrail-integration.html):
 *   the events land on the management account's default bus in us-east-1.
 * - `CreateAccountResult` is not an API call but a service event (CloudTrail `eventType`
 *   AwsServiceEvent, https://docs.aws.amazon.com/awscloudtrail/latest/userguide/non-api-aws-service-events.html),
 *   so its EventBridge `detail-type` is "AWS Service Event via CloudTrail"
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html); the
 *   CloudTrail record's `serviceEventDetails.createAccountStatus` carries `accountId` and `state`
 *   (orgs_cloudtrail-integration.html, example "CreateAccountResult"; the fields of
 *   https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccountStatus.html).
 * - The account-state changes below are API calls: detail-type "AWS API Call via CloudTrail", the
 *   call in `detail.eventName`, its parameters in `detail.requestParameters`. EventBridge receives
 *   these only when the management account has a CloudTrail trail with logging enabled
 *   (eb-service-event-cloudtrail.html); CreateAccountResult does not depend on that.
 */

/** Where Organizations' events are emitted (the management account's default bus). */
export const ORGANIZATIONS_EVENTS_REGION = "us-east-1";

export const ORGANIZATIONS_SOURCE = "aws.organizations";
export const SERVICE_EVENT_DETAIL_TYPE = "AWS Service Event via CloudTrail";
export const API_CALL_DETAIL_TYPE = "AWS API Call via CloudTrail";

/** Organizations' service event when an asynchronous CreateAccount request ends. */
export const ACCOUNT_CREATED_EVENT = "CreateAccountResult";

/** Organizations API calls that change an account's membership, state or OU (what account-sync stores). */
export const ACCOUNT_STATE_API_CALLS = [
  "CloseAccount",
  "RemoveAccountFromOrganization",
  "MoveAccount",
] as const;

/**
 * The EventBridge pattern of the events above. Content filtering on `detail.eventName` with the
 * detail-type list: a CreateAccountResult only ever comes as a service event, the calls only as API
 * calls (AWS docs above), so the cross product matches nothing more.
 */
export const ACCOUNT_EVENTS_PATTERN = {
  source: [ORGANIZATIONS_SOURCE],
  "detail-type": [SERVICE_EVENT_DETAIL_TYPE, API_CALL_DETAIL_TYPE],
  detail: { eventName: [ACCOUNT_CREATED_EVENT, ...ACCOUNT_STATE_API_CALLS] },
} as const;
