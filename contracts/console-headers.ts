/**
 * The console's security headers: one definition for the hosted console (the CloudFront response
 * headers policy, modules/console-hosting) and the local API front (local/api-front.ts), which
 * serves the built console with the same values so the browser tests run it under the hosted
 * policy. Where the hosted policy names other hosts (Cognito managed login, the API), the local
 * front gives its own origin: there, both are served from it.
 *
 * Content-Security-Policy: everything the console loads comes from its own origin (Vite emits no
 * inline script); it talks only to its own origin (config.json), Cognito managed login (token
 * endpoint) and the FinOps API. Directive meanings:
 * https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy
 *
 * Plain data and functions: imports nothing of the project.
 */

/** The hosts the policy names besides the console's own origin. */
export interface ConsoleHosts {
  /** Cognito managed login's origin (token endpoint, sign-in form target). */
  readonly cognitoOrigin: string;
  /** A CSP source expression for the API, e.g. `https://*.execute-api.us-east-1.amazonaws.com`. */
  readonly apiSource: string;
}

export function consoleContentSecurityPolicy(hosts: ConsoleHosts): string {
  const directives: [string, string[]][] = [
    ["default-src", ["'none'"]],
    ["script-src", ["'self'"]],
    ["style-src", ["'self'"]],
    // ECharts' tooltips are HTML with style="…" attributes; this allows style attributes only,
    // never <style> elements or other origins' stylesheets (CSP Level 3 style-src-attr).
    ["style-src-attr", ["'unsafe-inline'"]],
    ["img-src", ["'self'", "data:"]],
    ["font-src", ["'self'"]],
    ["manifest-src", ["'self'"]],
    ["connect-src", ["'self'", hosts.cognitoOrigin, hosts.apiSource]],
    ["form-action", ["'self'", hosts.cognitoOrigin]],
    ["base-uri", ["'none'"]],
    ["object-src", ["'none'"]],
    ["frame-ancestors", ["'none'"]],
    ["upgrade-insecure-requests", []],
  ];
  return directives.map(([d, v]) => [d, ...v].join(" ")).join("; ");
}

/** HSTS for two years, subdomains included (the console's host is the console's alone). */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/** Browser features the console never uses, turned off. */
export const PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

export const FRAME_OPTION = "DENY";
export const REFERRER_POLICY = "no-referrer";
export const CROSS_ORIGIN_OPENER_POLICY = "same-origin";

/**
 * Every header the response headers policy sets, as an HTTP response carries it (name → value):
 * its security headers (CloudFront writes `X-Content-Type-Options: nosniff` for contentTypeOptions
 * and `includeSubDomains` for includeSubdomains) and its custom headers.
 */
export function consoleSecurityHeaders(hosts: ConsoleHosts): Record<string, string> {
  return {
    "content-security-policy": consoleContentSecurityPolicy(hosts),
    "strict-transport-security": `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
    "x-frame-options": FRAME_OPTION,
    "x-content-type-options": "nosniff",
    "referrer-policy": REFERRER_POLICY,
    "permissions-policy": PERMISSIONS_POLICY,
    "cross-origin-opener-policy": CROSS_ORIGIN_OPENER_POLICY,
  };
}
