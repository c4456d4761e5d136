import { wildcardArnReason } from "../../../checks/policy";
import { isArnWildcardAllowed } from "../../../contracts/iam-wildcards";

/** A Terraform reference `${expr}` (written without a template placeholder in a string). */
const tf = (expr: string) => `$${"{"}${expr}}`;

describe("wildcard ARNs in disguise", () => {
  it.each([
    ["arn:aws:s3:::*", "has a resource part of only wildcards"],
    ["arn:aws:s3:::*/*", "has a resource part of only wildcards"],
    ["arn:aws:logs:*:*:*", "has a resource part of only wildcards"],
    ["arn:aws:sqs:us-east-1:123456789012:*", "has a resource part of only wildcards"],
    ["arn:aws:dynamodb:*:*:table/*", "has a wildcard account and region and a wildcard resource"],
    ["arn:aws:iam::*:role/*", "has a wildcard account and region and a wildcard resource"],
    ["arn:aws:logs:*:*:log-group:*", "has a wildcard account and region and a wildcard resource"],
    ["arn:aws:*:us-east-1:123456789012:thing/x", "has a wildcard partition or service"],
    ["arn:*:s3:::bucket", "has a wildcard partition or service"],
    ["arn:*", "is a wildcard ARN without a resource part"],
  ])("flags %s", (arn, why) => {
    expect(wildcardArnReason(arn)).toBe(why);
  });

  it.each([
    "arn:aws:s3:::finops-cur-111111111111/cur/*", // prefix in a named bucket
    "arn:aws:s3:::bucket/*", // every object of one bucket
    "arn:aws:s3:::finops-*", // a name prefix
    "arn:aws:cloudformation:*:123456789012:stackset/finops-*", // any region, one account, a prefix
    "arn:aws:cloudformation:*:123456789012:stack/*", // one account (a member's own stacks)
    "arn:aws:dynamodb:us-east-1:123456789012:table/*", // one account and region
    "arn:aws:iam::*:role/finops-read", // a named role in any account
    "arn:aws:organizations::111111111111:account/o-*/*",
    "arn:aws:lambda:us-east-1:123456789012:function:finops-approvals:*",
    `arn:aws:logs:us-east-1:123456789012:log-group:${tf("aws_cloudwatch_log_group.x.name")}:*`,
    `${tf("aws_s3_bucket.b.arn")}/*`,
    "*", // Resource "*" has its own check (the action allowlist)
  ])("keeps %s", (arn) => {
    expect(wildcardArnReason(arn)).toBeUndefined();
  });

  it("counts a Terraform reference as a concrete value", () => {
    expect(
      wildcardArnReason(`arn:aws:dynamodb:*:${tf("data.aws_caller_identity.me.account_id")}:table/*`),
    ).toBe(undefined);
    expect(wildcardArnReason(`arn:aws:s3:::${tf("aws_s3_bucket.b.bucket")}`)).toBeUndefined();
  });

  it("allows a disguised wildcard only for the allowlisted ARN and actions", () => {
    const allowlist = [
      {
        arn: "arn:aws:logs:*:*:*",
        actions: ["logs:CreateLogGroup"],
        reason: "an example entry for this test, with a reason long enough",
      },
    ];
    expect(isArnWildcardAllowed("arn:aws:logs:*:*:*", ["logs:CreateLogGroup"], allowlist)).toBe(true);
    expect(isArnWildcardAllowed("arn:aws:logs:*:*:*", ["logs:createloggroup"], allowlist)).toBe(true);
    expect(
      isArnWildcardAllowed("arn:aws:logs:*:*:*", ["logs:CreateLogGroup", "logs:PutLogEvents"], allowlist),
    ).toBe(false);
    expect(isArnWildcardAllowed("arn:aws:logs:*:*:log-group:*", ["logs:CreateLogGroup"], allowlist)).toBe(
      false,
    );
    expect(isArnWildcardAllowed("arn:aws:s3:::*", ["s3:GetObject"])).toBe(false); // the shipped list is empty
  });
});
