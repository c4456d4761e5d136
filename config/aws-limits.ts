/**
 * Limits AWS enforces at apply time, checked at validate time instead, so that a config AWS would
 * refuse never gets as far as a plan. Each check names the limit and the AWS page that states it.
 */

/** The AWS documentation behind each limit; error messages and tests cite these. */
export const AWS_DOCS = {
  tags: "https://docs.aws.amazon.com/personalize/latest/dg/personalize-managing-tags.html",
  s3BucketNames: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
  budgetSubscribers:
    "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_NotificationWithSubscribers.html",
  dataExportName:
    "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_DataExports_Export.html",
  cognitoCallbackUrls:
    "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/cognitoidentityprovider/aws.sdk.kotlin.services.cognitoidentityprovider.model/-create-user-pool-client-request/callback-urls.html",
  accountEmail:
    "https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/organizations/aws.sdk.kotlin.services.organizations.model/-create-account-request/email.html",
  cloudFrontCertificates:
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html",
  cloudFrontWaf: "https://docs.aws.amazon.com/waf/latest/developerguide/cloudfront-features.html",
  partitions: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",
} as const;

// Tags ------------------------------------------------------------------------------------------

export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
/** Letters, digits and spaces of any script, and + - = . _ : / @ (the set every tagging service accepts). */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function tagProblem(kind: "key" | "value", text: string, max: number): string | undefined {
  if (/^aws:/i.test(text))
    return `starts with "aws:", a prefix AWS reserves for its own tags (keys and values); remove the prefix (AWS tag limits: ${AWS_DOCS.tags})`;
  if ([...text].length > max)
    return `is ${[...text].length} characters; AWS allows tag ${kind}s of at most ${max}: shorten it (AWS tag limits: ${AWS_DOCS.tags})`;
  if (!TAG_CHARS.test(text)) {
    const bad = [...new Set([...text].filter((c) => !TAG_CHARS.test(c)))].map((c) => JSON.stringify(c));
    return `becomes a tag ${kind} and contains ${bad.join(" ")}; AWS tag ${kind}s allow only letters, digits, spaces and + - = . _ : / @ (AWS tag limits: ${AWS_DOCS.tags})`;
  }
  return undefined;
}

export const tagKeyProblem = (key: string) => tagProblem("key", key, TAG_KEY_MAX);
export const tagValueProblem = (value: string) => tagProblem("value", value, TAG_VALUE_MAX);

// S3 bucket names -------------------------------------------------------------------------------

const BUCKET_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const BUCKET_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/** Every rule a general purpose bucket name breaks (empty when S3 accepts it). */
export function bucketNameProblems(name: string): string[] {
  const out: string[] = [];
  if (name.length < 3 || name.length > 63) out.push(`is ${name.length} characters, not 3 to 63`);
  if (!/^[a-z0-9.-]*$/.test(name)) out.push("may hold only lowercase letters, digits, dots and hyphens");
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name))
    out.push("must begin and end with a letter or digit");
  if (name.includes("..")) out.push("must not contain two adjacent dots");
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) out.push("must not be shaped like an IP address");
  for (const p of BUCKET_PREFIXES) if (name.startsWith(p)) out.push(`must not start with "${p}" (reserved)`);
  for (const s of BUCKET_SUFFIXES) if (name.endsWith(s)) out.push(`must not end with "${s}" (reserved)`);
  return out;
}

export function bucketNameMessage(name: string, problems: string[], fix: string): string {
  return `makes the S3 bucket name "${name}", which S3 refuses: it ${problems.join("; it ")}; ${fix} (S3 bucket naming rules: ${AWS_DOCS.s3BucketNames})`;
}

// Emails ----------------------------------------------------------------------------------------

/** RFC 5321: the local part (before @) is at most 64 octets, the whole address at most 254. */
export function emailProblem(address: string): string | undefined {
  const at = address.lastIndexOf("@");
  const local = at < 0 ? address : address.slice(0, at);
  if (local.length > 64)
    return `has a local part (before @) of ${local.length} characters; mail systems and AWS accept at most 64 (RFC 5321): shorten it`;
  if (address.length > 254)
    return `is ${address.length} characters; an email address is at most 254 (RFC 5321): shorten it`;
  return undefined;
}

/** AWS Organizations: an account's root email is 6 to 64 characters of 7-bit ASCII. */
export function accountEmailProblem(address: string): string | undefined {
  if (address.length > 64 || address.length < 6)
    return `is ${address.length} characters; AWS Organizations account emails are 6 to 64 characters (${AWS_DOCS.accountEmail}): use a shorter address`;
  if (!/^[\x20-\x7e]*$/.test(address))
    return `contains non-ASCII characters; AWS Organizations account emails are 7-bit ASCII (${AWS_DOCS.accountEmail})`;
  return undefined;
}

// Cognito callback and sign-out URLs -------------------------------------------------------------

export const COGNITO_MAX_URLS = 100;

/** Cognito: an absolute URI without fragment, https, or http only for localhost; at most 1024 characters. */
export function callbackUrlProblem(text: string): string | undefined {
  const why = `(Cognito callback URL rules: ${AWS_DOCS.cognitoCallbackUrls})`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(text)} is not an absolute URL; give e.g. "https://finops.example.com/callback" ${why}`;
  }
  if (text.length > 1024) return `is ${text.length} characters; Cognito accepts URLs of at most 1024 ${why}`;
  if (url.hash || text.includes("#"))
    return `${JSON.stringify(text)} has a fragment (#…), which Cognito refuses; remove it ${why}`;
  if (url.protocol === "http:" && url.hostname !== "localhost")
    return `${JSON.stringify(text)} is http on ${url.hostname}; Cognito requires https except for http://localhost: use https:// ${why}`;
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return `${JSON.stringify(text)} is not a web URL; the web front end needs https:// (or http://localhost) ${why}`;
  if (!url.hostname)
    return `${JSON.stringify(text)} has no host; give e.g. "https://finops.example.com/" ${why}`;
  return undefined;
}

// Data Exports ----------------------------------------------------------------------------------

export const DATA_EXPORT_NAME_MAX = 128;

// Partitions ------------------------------------------------------------------------------------

/** The partition of a region code: aws, aws-us-gov, aws-cn, aws-iso… (by AWS's naming scheme). */
export function partitionOf(region: string): string {
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("eu-isoe-")) return "aws-iso-e";
  if (region.startsWith("us-isof-")) return "aws-iso-f";
  return "aws";
}

export function partitionMessage(
  what: string,
  partition: string,
  fix = "use a commercial region such as us-east-1",
): string {
  return `${what} is in the ${partition} partition; finops-landing supports only the aws partition (it writes arn:aws:… ARNs, and an organization, its accounts and their roles cannot span partitions): ${fix} (${AWS_DOCS.partitions})`;
}
