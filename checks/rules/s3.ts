import type { Finding, Rule } from "../engine";
import { isAnyPrincipal, list, parsePolicy } from "../policy";
import { block, blocks, parseRef, type ResourceView, type StackView } from "../stack-view";
import { actionsOf, isTrue } from "./helpers";

/** The bucket a bucket sub-resource configures: by `${aws_s3_bucket.x.id|bucket}` or by literal name. */
function bucketOf(view: StackView, sub: ResourceView, buckets: ResourceView[]): ResourceView | undefined {
  const target = sub.body.bucket;
  const ref = parseRef(target);
  if (ref) return ref.type === "aws_s3_bucket" ? view.resolve(target) : undefined;
  return buckets.find((b) => b.body.bucket === target);
}

function subResourcesByBucket(view: StackView, type: string): Map<ResourceView, ResourceView[]> {
  const buckets = view.ofType("aws_s3_bucket");
  const out = new Map<ResourceView, ResourceView[]>(buckets.map((b) => [b, []]));
  for (const sub of view.ofType(type)) {
    const b = bucketOf(view, sub, buckets);
    if (b) out.get(b)!.push(sub);
  }
  return out;
}

function perBucket(
  view: StackView,
  type: string,
  what: string,
  ok: (sub: ResourceView) => boolean,
): Finding[] {
  const findings: Finding[] = [];
  for (const [bucket, subs] of subResourcesByBucket(view, type)) {
    if (subs.length === 0) findings.push({ resource: bucket, message: `has no ${type}: ${what}` });
    else if (!subs.some(ok)) findings.push({ resource: subs[0]!, message: `does not ${what}` });
  }
  return findings;
}

/** S3 buckets: versioning, encryption, public access, TLS, ownership and lifecycle of every bucket. */
export const S3_RULES: readonly Rule[] = [
  {
    id: "s3.versioning",
    title: "every bucket has versioning Enabled",
    check: (v) =>
      perBucket(v, "aws_s3_bucket_versioning", "enable versioning", (s) => {
        return block(s.body.versioning_configuration).status === "Enabled";
      }),
  },
  {
    id: "s3.encryption",
    title: "every bucket has default encryption (SSE-KMS, DSSE-KMS or SSE-S3)",
    check: (v) =>
      perBucket(v, "aws_s3_bucket_server_side_encryption_configuration", "set default encryption", (s) =>
        blocks(s.body.rule).some((r) =>
          ["aws:kms", "aws:kms:dsse", "AES256"].includes(
            String(block(r.apply_server_side_encryption_by_default).sse_algorithm),
          ),
        ),
      ),
  },
  {
    id: "s3.public-access-block",
    title: "every bucket has all four public-access blocks on",
    check: (v) =>
      perBucket(v, "aws_s3_bucket_public_access_block", "turn on all four public-access blocks", (s) =>
        ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every(
          (k) => isTrue(s.body[k]),
        ),
      ),
  },
  {
    id: "s3.tls-only",
    title:
      "every bucket policy denies requests without TLS (aws:SecureTransport false) to bucket and objects",
    check: (v) =>
      perBucket(v, "aws_s3_bucket_policy", "deny non-TLS requests to the bucket and its objects", (s) => {
        const parsed = parsePolicy(s.body.policy, v.data);
        if (!parsed.ok) return false;
        return parsed.statements.some((st) => {
          const cond = st.Condition?.Bool ?? {};
          const resources = list(st.Resource);
          return (
            st.Effect === "Deny" &&
            isAnyPrincipal(st) &&
            actionsOf(st).some((a) => a === "s3:*" || a === "*") &&
            String(list(cond["aws:SecureTransport"] as string)[0]) === "false" &&
            resources.some((r) => !r.endsWith("/*")) &&
            resources.some((r) => r.endsWith("/*"))
          );
        });
      }),
  },
  {
    id: "s3.ownership-enforced",
    title: "every bucket has ObjectOwnership BucketOwnerEnforced (ACLs off)",
    check: (v) =>
      perBucket(
        v,
        "aws_s3_bucket_ownership_controls",
        "enforce bucket ownership (BucketOwnerEnforced)",
        (s) => blocks(s.body.rule).some((r) => r.object_ownership === "BucketOwnerEnforced"),
      ),
  },
  {
    id: "s3.lifecycle",
    title: "every bucket's lifecycle expires noncurrent versions and aborts incomplete multipart uploads",
    check: (v) =>
      perBucket(
        v,
        "aws_s3_bucket_lifecycle_configuration",
        "both expire noncurrent versions and abort incomplete multipart uploads in Enabled rules",
        (s) => {
          const rules = blocks(s.body.rule).filter((r) => r.status === "Enabled");
          const noncurrent = rules.some((r) => blocks(r.noncurrent_version_expiration).length > 0);
          const abort = rules.some((r) => blocks(r.abort_incomplete_multipart_upload).length > 0);
          return noncurrent && abort;
        },
      ),
  },
];
