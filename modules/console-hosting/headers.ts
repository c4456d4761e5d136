/**
 * The console's Content-Security-Policy. Everything it loads comes from its own origin (Vite emits
 * no inline script); it talks only to its own origin (config.json), Cognito managed login (token
 * endpoint) and the FinOps API. Directive meanings: https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy
 *
 * The API's origin is its own execute-api host, `https://<api-id>.execute-api.<region>.amazonaws.com`,
 * whose id only exists after apply; the API's CORS origins in turn name this distribution's domain.
 * Naming the exact API host here would make the distribution and the API depend on each other
 * (a Terraform cycle), so connect-src allows execute-api hosts of the API's region only
 * (docs/console-hosting.md, "Content-Security-Policy").
 */
export function consoleContentSecurityPolicy(opts: {
  readonly cognitoOrigin: string;
  readonly apiRegion: string;
}): string {
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
    ["connect-src", ["'self'", opts.cognitoOrigin, `https://*.execute-api.${opts.apiRegion}.amazonaws.com`]],
    ["form-action", ["'self'", opts.cognitoOrigin]],
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
