import type { Finding, Rule } from "../engine";
import { block, blocks, parseRef } from "../stack-view";
import { setString } from "./helpers";

/** Every cache behavior of a distribution: the default one and the ordered ones. */
function behaviors(body: Record<string, unknown>): Record<string, unknown>[] {
  return [...blocks(body.default_cache_behavior), ...blocks(body.ordered_cache_behavior)];
}

/** An S3 REST endpoint (bucket.s3.region.amazonaws.com or bucket.s3.amazonaws.com), not a website endpoint. */
const S3_ORIGIN = /\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$/;

/**
 * Security policies of CloudFront viewer TLS at TLS 1.2 or later
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html).
 */
const TLS12_OR_LATER = /^TLSv1\.[23](_\d{4})?$/;

/** CloudFront distributions: HTTPS to viewers, private S3 origins, security headers, access logs. */
export const CLOUDFRONT_RULES: readonly Rule[] = [
  {
    id: "cloudfront.https-only",
    title: "every cache behavior redirects HTTP to HTTPS or refuses it (viewer protocol policy)",
    check: (v) =>
      v.ofType("aws_cloudfront_distribution").flatMap((d): Finding[] =>
        behaviors(d.body)
          .filter((b) => !["redirect-to-https", "https-only"].includes(String(b.viewer_protocol_policy)))
          .map((b) => ({
            resource: d,
            message: `a cache behavior (${String(b.path_pattern ?? "default")}) has viewer_protocol_policy ${String(b.viewer_protocol_policy)}; use redirect-to-https or https-only`,
          })),
      ),
  },
  {
    id: "cloudfront.tls",
    title: "a distribution with its own certificate accepts viewers on TLS 1.2 or later only",
    check: (v) =>
      v
        .ofType("aws_cloudfront_distribution")
        .filter((d) => setString(block(d.body.viewer_certificate).acm_certificate_arn))
        .filter(
          (d) => !TLS12_OR_LATER.test(String(block(d.body.viewer_certificate).minimum_protocol_version)),
        )
        .map((resource) => ({
          resource,
          message: `minimum_protocol_version is ${String(block(resource.body.viewer_certificate).minimum_protocol_version)}; use TLSv1.2_2021 or later`,
        })),
  },
  {
    id: "cloudfront.s3-origin-access-control",
    title: "every S3 origin is read through an origin access control (the bucket stays private)",
    check: (v) =>
      v.ofType("aws_cloudfront_distribution").flatMap((d): Finding[] =>
        blocks(d.body.origin)
          .filter((o) => S3_ORIGIN.test(String(o.domain_name)) && !setString(o.origin_access_control_id))
          .map((o) => ({
            resource: d,
            message: `origin ${String(o.origin_id)} reads S3 without an origin access control; add origin_access_control_id (and a bucket policy on AWS:SourceArn)`,
          })),
      ),
  },
  {
    id: "cloudfront.security-headers",
    title: "every cache behavior adds a response headers policy (CSP, HSTS, frame and type options)",
    check: (v) =>
      v.ofType("aws_cloudfront_distribution").flatMap((d): Finding[] =>
        behaviors(d.body)
          .filter((b) => !setString(b.response_headers_policy_id))
          .map((b) => ({
            resource: d,
            message: `a cache behavior (${String(b.path_pattern ?? "default")}) has no response_headers_policy_id`,
          })),
      ),
  },
  {
    id: "cloudfront.access-logs",
    title:
      "every distribution writes access logs (standard logging v2 delivery source, or legacy logging_config)",
    check: (v) => {
      const logged = new Set(
        v
          .ofType("aws_cloudwatch_log_delivery_source")
          .filter((s) => s.body.log_type === "ACCESS_LOGS")
          .map((s) => parseRef(s.body.resource_arn))
          .filter((r) => r?.type === "aws_cloudfront_distribution")
          .map((r) => `${r!.type}.${r!.name}`),
      );
      return v
        .ofType("aws_cloudfront_distribution")
        .filter((d) => !logged.has(d.address) && !setString(block(d.body.logging_config).bucket))
        .map((resource) => ({
          resource,
          message: "writes no access logs; add an ACCESS_LOGS delivery source for it (standard logging v2)",
        }));
    },
  },
];
