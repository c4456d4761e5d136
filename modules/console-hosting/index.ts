import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontFunction } from "@cdktf/provider-aws/lib/cloudfront-function";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import { CloudwatchLogDelivery } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery";
import { CloudwatchLogDeliveryDestination } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-destination";
import { CloudwatchLogDeliverySource } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-source";
import { DataAwsCloudfrontCachePolicy } from "@cdktf/provider-aws/lib/data-aws-cloudfront-cache-policy";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { AssetType, TerraformAsset, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import { CONSOLE_RUNTIME_CONFIG_KEY, type ConsoleRuntimeConfig } from "../../contracts/console-config";
import { SecureBucket } from "../secure-bucket";
import type { ConsoleBuild } from "./files";
import {
  CROSS_ORIGIN_OPENER_POLICY,
  consoleContentSecurityPolicy,
  FRAME_OPTION,
  HSTS_MAX_AGE_SECONDS,
  PERMISSIONS_POLICY,
  REFERRER_POLICY,
} from "./headers";

export { type ConsoleBuild, consoleBuildFromEnv, readConsoleBuild } from "./files";

/**
 * SPA routing at the edge (CloudFront Functions, cloudfront-js-2.0): a path without a file
 * extension is one of the console's client-side routes and gets index.html; a file path (assets,
 * config.json) goes to S3 unchanged, so a missing file is a real error, not the app shell.
 */
export const SPA_ROUTING_FUNCTION = `function handler(event) {
  var request = event.request;
  var last = request.uri.split("/").pop();
  if (last.indexOf(".") === -1) request.uri = "/index.html";
  return request;
}
`;

/** Lowest viewer TLS of a custom domain (CloudFront security policy). */
export const CONSOLE_MIN_TLS = "TLSv1.2_2021";

export interface ConsoleHostingProps {
  readonly names: Names;
  readonly accountId: string;
  /** Region of the console bucket (the admin's primary region). */
  readonly region: string;
  /** The built console (files.ts). */
  readonly build: ConsoleBuild;
  /** Origin of Cognito managed login, for the CSP (connect-src, form-action). */
  readonly cognitoOrigin: string;
  /** Region of the FinOps API, for the CSP's connect-src. */
  readonly apiRegion: string;
  /** app.console */
  readonly domain?: string;
  readonly certificateArn?: string;
  readonly webAclArn?: string;
  /** Days access logs are kept. */
  readonly logRetentionDays: number;
  /** prevent_destroy on the buckets. */
  readonly preventDestroy: boolean;
  readonly provider?: TerraformProvider;
  /** Provider in us-east-1: CloudFront's access-log delivery (standard logging v2) is set up there. */
  readonly usEast1Provider: TerraformProvider;
}

/**
 * The finance console on AWS (docs/console-hosting.md): a private bucket with the security
 * baseline that only this distribution may read (origin access control, bucket policy on
 * AWS:SourceArn), CloudFront with a strict response headers policy and SPA routing, access logs
 * to a second baseline bucket (standard logging v2), every file of the build as an object, and
 * the organization's runtime config.json (addRuntimeConfig) once the app's ids exist.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: SecureBucket;
  readonly logsBucket: SecureBucket;
  readonly distribution: CloudfrontDistribution;
  readonly headersPolicy: CloudfrontResponseHeadersPolicy;
  readonly originAccessControl: CloudfrontOriginAccessControl;
  readonly spaRouting: CloudfrontFunction;
  readonly files: S3Object[];
  /** https origin of the console: the custom domain, or the distribution's own domain (a reference). */
  readonly origin: string;
  private readonly provider?: TerraformProvider;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const { names, provider } = props;
    this.provider = provider;
    const bucketName = names.consoleBucket;

    this.originAccessControl = new CloudfrontOriginAccessControl(this, "oac", {
      provider,
      name: names.consoleCloudFront,
      description: "FinOps console bucket: CloudFront signs every request (SigV4)",
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });

    this.spaRouting = new CloudfrontFunction(this, "spa-routing", {
      provider,
      name: `${names.consoleCloudFront}-spa-routing`,
      runtime: "cloudfront-js-2.0",
      comment: "Client-side routes of the FinOps console get index.html",
      code: SPA_ROUTING_FUNCTION,
      publish: true,
    });

    this.headersPolicy = new CloudfrontResponseHeadersPolicy(this, "headers", {
      provider,
      name: `${names.consoleCloudFront}-headers`,
      comment: "FinOps console: strict CSP, HSTS, no framing, nosniff, no referrer",
      securityHeadersConfig: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy({
            cognitoOrigin: props.cognitoOrigin,
            apiRegion: props.apiRegion,
          }),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: FRAME_OPTION, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: REFERRER_POLICY, override: true },
      },
      customHeadersConfig: {
        items: [
          { header: "Permissions-Policy", value: PERMISSIONS_POLICY, override: true },
          { header: "Cross-Origin-Opener-Policy", value: CROSS_ORIGIN_OPENER_POLICY, override: true },
        ],
      },
    });

    // AWS's managed policy, looked up by name: no query strings or cookies in the cache key,
    // TTLs from the objects' Cache-Control (files.ts).
    const caching = new DataAwsCloudfrontCachePolicy(this, "caching-optimized", {
      provider,
      name: "Managed-CachingOptimized",
    });

    const originId = "console-bucket";
    this.distribution = new CloudfrontDistribution(this, "distribution", {
      provider,
      enabled: true,
      comment: "FinOps finance console",
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      defaultRootObject: "index.html",
      aliases: props.domain ? [props.domain] : undefined,
      webAclId: props.webAclArn,
      origin: [
        {
          originId,
          domainName: `${bucketName}.s3.${props.region}.amazonaws.com`,
          originAccessControlId: this.originAccessControl.id,
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: caching.id,
        responseHeadersPolicyId: this.headersPolicy.id,
        functionAssociation: [{ eventType: "viewer-request", functionArn: this.spaRouting.arn }],
      },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: props.certificateArn
        ? {
            acmCertificateArn: props.certificateArn,
            sslSupportMethod: "sni-only",
            minimumProtocolVersion: CONSOLE_MIN_TLS,
          }
        : { cloudfrontDefaultCertificate: true },
    });
    this.origin = props.domain ? `https://${props.domain}` : `https://${this.distribution.domainName}`;

    // Only this distribution reads the console, through its origin access control
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html).
    this.bucket = new SecureBucket(this, "bucket", {
      provider,
      bucketName,
      preventDestroy: props.preventDestroy,
      policyStatements: [
        {
          Sid: "CloudFrontReadsConsole",
          Effect: "Allow",
          Principal: { Service: "cloudfront.amazonaws.com" },
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::${bucketName}/*`,
          Condition: { StringEquals: { "AWS:SourceArn": this.distribution.arn } },
        },
      ],
    });

    // Access logs: standard logging v2 (CloudWatch Logs vended delivery to S3), which needs no
    // bucket ACLs, so the log bucket keeps BucketOwnerEnforced. Bucket policy as documented in
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html
    const logsBucketName = names.consoleLogsBucket;
    const deliverySourceArn = `arn:aws:logs:us-east-1:${props.accountId}:delivery-source:${names.consoleAccessLogs}`;
    const fromDelivery = {
      StringEquals: { "aws:SourceAccount": props.accountId },
      ArnLike: { "aws:SourceArn": deliverySourceArn },
    };
    this.logsBucket = new SecureBucket(this, "logs-bucket", {
      provider,
      bucketName: logsBucketName,
      preventDestroy: props.preventDestroy,
      expirationDays: props.logRetentionDays,
      policyStatements: [
        {
          Sid: "AWSLogDeliveryWrite",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `arn:aws:s3:::${logsBucketName}/*`,
          Condition: {
            StringEquals: {
              "aws:SourceAccount": props.accountId,
              "s3:x-amz-acl": "bucket-owner-full-control",
            },
            ArnLike: { "aws:SourceArn": deliverySourceArn },
          },
        },
        {
          Sid: "AWSLogDeliveryAclCheck",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: "s3:GetBucketAcl",
          Resource: `arn:aws:s3:::${logsBucketName}`,
          Condition: fromDelivery,
        },
      ],
    });
    const source = new CloudwatchLogDeliverySource(this, "access-log-source", {
      provider: props.usEast1Provider,
      name: names.consoleAccessLogs,
      logType: "ACCESS_LOGS",
      resourceArn: this.distribution.arn,
    });
    const destination = new CloudwatchLogDeliveryDestination(this, "access-log-destination", {
      provider: props.usEast1Provider,
      name: names.consoleAccessLogs,
      outputFormat: "json",
      deliveryDestinationConfiguration: [{ destinationResourceArn: this.logsBucket.bucketArn }],
    });
    new CloudwatchLogDelivery(this, "access-logs", {
      provider: props.usEast1Provider,
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.arn,
      dependsOn: [this.logsBucket.policy],
    });

    // The build, copied into the synthesized output (a relative path, no machine path in the plan).
    const asset = new TerraformAsset(this, "build", { path: props.build.dir, type: AssetType.DIRECTORY });
    const ids = new Map<string, string>();
    this.files = props.build.files.map((f) => {
      const id = `file-${f.key.replace(/[^A-Za-z0-9]+/g, "-")}`;
      const clash = ids.get(id);
      if (clash)
        throw new Error(
          `the built console has ${clash} and ${f.key}, which would share one Terraform address (${id}); rename one of them`,
        );
      ids.set(id, f.key);
      return new S3Object(this, id, {
        provider,
        bucket: this.bucket.bucket.id,
        key: f.key,
        source: `${asset.path}/${f.key}`,
        sourceHash: f.md5,
        contentType: f.contentType,
        cacheControl: f.cacheControl,
      });
    });
  }

  /** The organization's /config.json (contracts/console-config.ts), written by Terraform. */
  addRuntimeConfig(config: ConsoleRuntimeConfig): S3Object {
    return new S3Object(this, "runtime-config", {
      provider: this.provider,
      bucket: this.bucket.bucket.id,
      key: CONSOLE_RUNTIME_CONFIG_KEY,
      content: JSON.stringify(config, null, 2),
      contentType: "application/json",
      cacheControl: "no-cache",
    });
  }
}
