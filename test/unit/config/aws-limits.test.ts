/**
 * Issue 14: configs AWS would refuse at apply are refused at validate, each error naming the
 * AWS limit. The limits, as AWS documents them:
 *   Tags (aws: prefix reserved, key ≤ 128, value ≤ 256, allowed characters):
 *     https://docs.aws.amazon.com/personalize/latest/dg/personalize-managing-tags.html
 *   S3 bucket names (3-63, xn--, sthree-, -s3alias, --ol-s3, IP-shaped):
 *     https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 *   Budgets: one SNS and up to 10 email subscribers per notification:
 *     https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_NotificationWithSubscribers.html
 *   Data Exports export names ≤ 128 characters, [0-9A-Za-z-_]:
 *     https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_DataExports_Export.html
 *   Cognito callback/sign-out URLs: absolute, no fragment, https except http://localhost:
 *     https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/cognitoidentityprovider/aws.sdk.kotlin.services.cognitoidentityprovider.model/-create-user-pool-client-request/callback-urls.html
 *   AWS Organizations account emails: 6-64 characters of 7-bit ASCII:
 *     https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/organizations/aws.sdk.kotlin.services.organizations.model/-create-account-request/email.html
 *   Partitions (aws, aws-cn, aws-us-gov) and their ARNs:
 *     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import {
  AWS_DOCS,
  bucketNameProblems,
  callbackUrlProblem,
  emailProblem,
  partitionOf,
  tagValueProblem,
} from "../../../config/aws-limits";
import { ConfigError, parseAccountConfig } from "../../../config/load";

const dir = path.join(__dirname, "../../fixtures/config/aws-refused");

function errorsOf(file: string): string[] {
  const rel = `aws-refused/${file}.yaml`;
  try {
    parseAccountConfig(readFileSync(path.join(dir, `${file}.yaml`), "utf8"), rel);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.text);
    throw e;
  }
  throw new Error(`${rel} was accepted`);
}

/** [fixture, path of the error, what the message says, the AWS page it cites (or none)] */
const cases: Array<[string, string, string, string | undefined]> = [
  ["tag-prefix-aws", "organization.tagPrefix", "AWS reserves the aws: prefix of tag keys", AWS_DOCS.tags],
  ["owner-tag-characters", "members[0].owner", 'contains "#" "!"; AWS tag values allow only', AWS_DOCS.tags],
  ["owner-tag-reserved-prefix", "members[0].owner", 'starts with "aws:"', AWS_DOCS.tags],
  [
    "owner-tag-too-long",
    "members[0].owner",
    "is 257 characters; AWS allows tag values of at most 256",
    AWS_DOCS.tags,
  ],
  [
    "bucket-prefix-sthree",
    "organization.tagPrefix",
    'makes the S3 bucket name "sthree-cur-111111111111", which S3 refuses: it must not start with "sthree-"',
    AWS_DOCS.s3BucketNames,
  ],
  ["bucket-prefix-xn", "organization.tagPrefix", 'must not start with "xn--"', AWS_DOCS.s3BucketNames],
  [
    "state-bucket-s3alias",
    "organization.stateBackend.bucket",
    'must not end with "-s3alias"',
    AWS_DOCS.s3BucketNames,
  ],
  [
    "state-bucket-ol-s3",
    "organization.stateBackend.bucket",
    'must not end with "--ol-s3"',
    AWS_DOCS.s3BucketNames,
  ],
  [
    "state-bucket-ip",
    "organization.stateBackend.bucket",
    "must not be shaped like an IP address",
    AWS_DOCS.s3BucketNames,
  ],
  [
    "state-bucket-too-long",
    "organization.stateBackend.bucket",
    "is 64 characters, not 3 to 63",
    AWS_DOCS.s3BucketNames,
  ],
  [
    "budget-eleven-subscribers",
    "members[0].budget.notify",
    "11 email subscribers (the owner's email included); AWS Budgets allows at most 10",
    AWS_DOCS.budgetSubscribers,
  ],
  [
    "budget-notify-duplicate",
    "members[0].budget.notify[1]",
    '"Finance@example.com" is listed twice',
    undefined,
  ],
  [
    "export-name-too-long",
    "cur.exportName",
    "(131 characters); AWS Data Exports names are at most 128: shorten cur.exportName to 122 characters or fewer",
    AWS_DOCS.dataExportName,
  ],
  [
    "callback-url-http",
    "app.webCallbackUrls[0]",
    "Cognito requires https except for http://localhost",
    AWS_DOCS.cognitoCallbackUrls,
  ],
  ["callback-url-fragment", "app.webCallbackUrls[0]", "has a fragment (#…)", AWS_DOCS.cognitoCallbackUrls],
  [
    "callback-url-duplicate",
    "app.webLogoutUrls[1]",
    "is listed twice (first at [0]); name each URL once",
    undefined,
  ],
  ["email-local-part-too-long", "members[0].email", "local part (before @) of 65 characters", undefined],
  [
    "account-email-too-long",
    "members[0].email",
    "is 67 characters; AWS Organizations account emails are 6 to 64",
    AWS_DOCS.accountEmail,
  ],
  [
    "stackset-ou-duplicate",
    "monitoring.stackset.organizationalUnits[1]",
    '"Workloads" is listed twice',
    undefined,
  ],
  [
    "state-role-other-partition",
    "organization.stateBackend.roleArn",
    "is in the aws-us-gov partition; finops-landing supports only the aws partition",
    AWS_DOCS.partitions,
  ],
];

describe("configs AWS would refuse at apply are refused at validate", () => {
  it("has a case for every aws-refused fixture", () => {
    const files = readdirSync(dir).map((f) => f.replace(/\.yaml$/, ""));
    expect(cases.map(([f]) => f).sort()).toEqual(files.sort());
  });

  it.each(cases)("%s: located error at %s naming the limit", (file, at, says, doc) => {
    const errors = errorsOf(file);
    expect(errors).toHaveLength(1);
    const [text] = errors as [string];
    expect(text.startsWith(`aws-refused/${file}.yaml:`)).toBe(true);
    expect(text).toMatch(/^\S+:\d+:\d+ /);
    expect(text).toContain(` ${at}: `);
    expect(text).toContain(says);
    if (doc) expect(text).toContain(doc);
  });
});

describe("the limit checks", () => {
  it.each([
    ["ab", ["is 2 characters, not 3 to 63"]],
    [
      "Bucket",
      [
        "may hold only lowercase letters, digits, dots and hyphens",
        "must begin and end with a letter or digit",
      ],
    ],
    ["a..b", ["must not contain two adjacent dots"]],
    ["amzn-s3-demo-x", ['must not start with "amzn-s3-demo-" (reserved)']],
    ["x.mrap", ['must not end with ".mrap" (reserved)']],
    ["finops-cur-123456789012", []],
  ])("bucket name %s", (name, problems) => {
    expect(bucketNameProblems(name)).toEqual(problems);
  });

  it("accepts tag values of letters of any script, spaces and + - = . _ : / @, refuses others", () => {
    expect(tagValueProblem("Équipe Données team+x=y.z_1:a/b@c")).toBeUndefined();
    expect(tagValueProblem("a;b")).toContain('contains ";"');
    expect(tagValueProblem("AWS:x")).toContain('starts with "aws:"');
  });

  it("accepts https and http://localhost callback URLs, refuses the rest", () => {
    expect(callbackUrlProblem("https://finops.example.com/callback")).toBeUndefined();
    expect(callbackUrlProblem("http://localhost:5173/callback")).toBeUndefined();
    expect(callbackUrlProblem("http://127.0.0.1/callback")).toContain("Cognito requires https");
    expect(callbackUrlProblem("finops.example.com/callback")).toContain("is not an absolute URL");
    expect(callbackUrlProblem("ftp://finops.example.com/")).toContain("is not a web URL");
  });

  it("limits an email's local part to 64 and the address to 254 characters", () => {
    expect(emailProblem(`${"a".repeat(64)}@example.com`)).toBeUndefined();
    expect(emailProblem(`${"a".repeat(65)}@example.com`)).toContain("65 characters");
    expect(emailProblem(`a@${"b".repeat(250)}.com`)).toContain("at most 254");
  });

  it("knows each region code's partition", () => {
    expect(
      ["us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1", "us-iso-east-1"].map(partitionOf),
    ).toEqual(["aws", "aws", "aws-us-gov", "aws-cn", "aws-iso"]);
  });
});
