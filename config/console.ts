import type { AccountConfig } from "./schema";

/**
 * What the `app` section means once the target is known (docs/console-hosting.md): the defaults
 * that differ between target aws and target local live here, in one place, so the schema, the
 * rules and the stacks agree.
 */

/** The console's own sign-in callback path (the SPA's /callback route). */
export const CONSOLE_CALLBACK_PATH = "/callback";

/** Target local only: the front end on localhost (the local API front or Vite's dev server). */
export const LOCAL_WEB_DEFAULTS = {
  callbackUrls: ["http://localhost:5173/callback"],
  logoutUrls: ["http://localhost:5173/"],
} as const;

/** Whether the admin stack hosts the console on S3 + CloudFront: target aws unless turned off. */
export function consoleHostingEnabled(config: AccountConfig): boolean {
  return config.app.console.enabled ?? config.target === "aws";
}

/** TOTP MFA of the user pool: required on AWS unless the config says optional. */
export function mfaSetting(config: AccountConfig): "required" | "optional" {
  return config.app.mfa ?? (config.target === "aws" ? "required" : "optional");
}

export interface WebClientUrls {
  readonly callbackUrls: string[];
  readonly logoutUrls: string[];
  /** Origins the API's CORS allows: the origins of every callback URL. */
  readonly corsOrigins: string[];
}

/**
 * The Cognito client's callback and sign-out URLs and the API's CORS origins. `consoleOrigin` is
 * the hosted console's https origin (its custom domain, or the distribution's domain as a
 * Terraform reference); its /callback and / come first, then the configured URLs. Without hosting,
 * the configured URLs, or on target local the localhost defaults.
 */
export function webClientUrls(config: AccountConfig, consoleOrigin?: string): WebClientUrls {
  const { webCallbackUrls, webLogoutUrls } = config.app;
  const local = config.target === "local";
  const callbacks = webCallbackUrls ?? (local && !consoleOrigin ? [...LOCAL_WEB_DEFAULTS.callbackUrls] : []);
  const logouts = webLogoutUrls ?? (local && !consoleOrigin ? [...LOCAL_WEB_DEFAULTS.logoutUrls] : []);
  const callbackUrls = consoleOrigin ? [`${consoleOrigin}${CONSOLE_CALLBACK_PATH}`, ...callbacks] : callbacks;
  const logoutUrls = consoleOrigin ? [`${consoleOrigin}/`, ...logouts] : logouts;
  const corsOrigins = [
    ...new Set([...(consoleOrigin ? [consoleOrigin] : []), ...callbacks.map((u) => new URL(u).origin)]),
  ];
  return { callbackUrls, logoutUrls, corsOrigins };
}

/**
 * Why a callback or sign-out URL is refused for target aws (the schema already enforces Cognito's
 * own rules): a deployed organization signs in only over https on a real host name.
 */
export function awsWebUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined; // the schema reports it
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || /^127\./.test(host) || host === "::1")
    return `${JSON.stringify(text)} points at ${host}, which target aws refuses: a deployed console is reached at its CloudFront or custom domain. Remove it (the hosted console's own URLs are added automatically) or give the https URL of your front end`;
  if (url.protocol !== "https:")
    return `${JSON.stringify(text)} is plain http, which target aws refuses; use https://`;
  return undefined;
}

/** CloudFront's standard logging (v2) is configured in us-east-1 (docs/console-hosting.md, "Access logs"). */
export const CLOUDFRONT_CONTROL_REGION = "us-east-1";

/** Layer 2 (config/rules.ts): the web front end's URLs and the hosted console, per target. */
export function checkConsole(config: AccountConfig): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const { app } = config;
  const hosting = consoleHostingEnabled(config);
  if (config.target === "aws") {
    for (const field of ["webCallbackUrls", "webLogoutUrls"] as const) {
      (app[field] ?? []).forEach((url, i) => {
        const problem = awsWebUrlProblem(url);
        if (problem) issues.push({ path: ["app", field, i], message: problem });
      });
    }
    for (const [field, what] of [
      ["webCallbackUrls", "sign-in callback"],
      ["webLogoutUrls", "sign-out"],
    ] as const) {
      if (!hosting && app[field] === undefined) {
        issues.push({
          path: ["app", field],
          message: `is not set and app.console.enabled is false, so the Cognito client would have no ${what} URL on target aws (there is no localhost default); give the https ${what} URL of your front end, or remove enabled: false to host the console`,
        });
      }
    }
  }
  if (config.target === "local" && app.mfa === "required") {
    issues.push({
      path: ["app", "mfa"],
      message:
        'is "required", which would lock out the local demo users: the emulated user pool then answers every password sign-in with an MFA_SETUP challenge, which the local console\'s sign-in does not handle; remove mfa (optional is the local default)',
    });
  }
  if (config.target === "local" && app.console.enabled === true) {
    issues.push({
      path: ["app", "console", "enabled"],
      message:
        "is true, which target local does not support: the emulator has no CloudFront, and npm run local serves the console from the local API front instead; remove enabled (or set it to false)",
    });
  }
  if (app.console.domain !== undefined && app.console.certificateArn === undefined) {
    issues.push({
      path: ["app", "console", "certificateArn"],
      message: `is required with app.console.domain "${app.console.domain}": CloudFront serves a custom domain only with an ACM certificate in us-east-1 that covers it; add certificateArn, or remove domain to use the distribution's own domain`,
    });
  }
  if (app.console.certificateArn !== undefined && app.console.domain === undefined) {
    issues.push({
      path: ["app", "console", "domain"],
      message:
        "is required with app.console.certificateArn: the certificate is only used for a custom domain; add domain, or remove certificateArn",
    });
  }
  if (hosting && !config.admin.regions.includes(CLOUDFRONT_CONTROL_REGION)) {
    issues.push({
      path: ["admin", "regions"],
      message: `has no ${CLOUDFRONT_CONTROL_REGION}, which the hosted console needs: CloudFront's access-log delivery is configured there; add ${CLOUDFRONT_CONTROL_REGION} to admin.regions (after the primary region is fine), or set app.console.enabled: false`,
    });
  }
  return issues;
}
