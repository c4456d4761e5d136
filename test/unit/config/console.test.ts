import { readFileSync } from "node:fs";
import { consoleHostingEnabled, mfaSetting, webClientUrls } from "../../../config/console";
import { ConfigError, parseAccountConfig } from "../../../config/load";

/**
 * The app section per target (config/console.ts, docs/console-hosting.md): target aws has no
 * localhost default and refuses localhost or plain-http URLs; target local keeps localhost.
 */
const EXAMPLE = readFileSync("accounts/example.yaml", "utf8");
const LOCAL = readFileSync("accounts/local.yaml", "utf8");
const withApp = (base: string, app: string) => base.replace(/\nrollout:/, `\napp:\n${app}\n\nrollout:`);

function errorsOf(yaml: string): string[] {
  try {
    parseAccountConfig(yaml, "test.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => i.text.replace(/^test\.yaml:\d+:\d+ /, ""));
    throw e;
  }
  return [];
}

describe("target aws", () => {
  it("hosts the console and requires MFA by default, with no localhost URL anywhere", () => {
    const config = parseAccountConfig(EXAMPLE, "example.yaml");
    expect(consoleHostingEnabled(config)).toBe(true);
    expect(mfaSetting(config)).toBe("required");
    expect(config.app.webCallbackUrls).toBeUndefined();
    const origin = "https://d111111abcdef8.cloudfront.net";
    expect(webClientUrls(config, origin)).toEqual({
      callbackUrls: [`${origin}/callback`],
      logoutUrls: [`${origin}/`],
      corsOrigins: [origin],
    });
  });

  it.each([
    ["http://localhost:5173/callback", "points at localhost, which target aws refuses"],
    ["https://localhost/callback", "points at localhost, which target aws refuses"],
    ["https://127.0.0.1:8443/callback", "points at 127.0.0.1, which target aws refuses"],
  ])("refuses the callback URL %s, naming the field and the fix", (url, why) => {
    const errors = errorsOf(withApp(EXAMPLE, `  webCallbackUrls: ["${url}"]`));
    expect(errors).toEqual([
      `app.webCallbackUrls[0]: ${JSON.stringify(url)} ${why}: a deployed console is reached at its CloudFront or custom domain. Remove it (the hosted console's own URLs are added automatically) or give the https URL of your front end`,
    ]);
  });

  it("refuses a plain-http sign-out URL (the schema's Cognito rule, before the target's)", () => {
    expect(errorsOf(withApp(EXAMPLE, '  webLogoutUrls: ["http://finops.example.com/"]'))).toEqual([
      expect.stringMatching(
        /^app\.webLogoutUrls\[0\]: "http:\/\/finops\.example\.com\/" is http on finops\.example\.com; Cognito requires https except for http:\/\/localhost: use https:\/\//,
      ),
    ]);
  });

  it("refuses turning hosting off without the front end's own URLs", () => {
    expect(errorsOf(withApp(EXAMPLE, "  console:\n    enabled: false"))).toEqual([
      "app.webCallbackUrls: is not set and app.console.enabled is false, so the Cognito client would have no sign-in callback URL on target aws (there is no localhost default); give the https sign-in callback URL of your front end, or remove enabled: false to host the console",
      "app.webLogoutUrls: is not set and app.console.enabled is false, so the Cognito client would have no sign-out URL on target aws (there is no localhost default); give the https sign-out URL of your front end, or remove enabled: false to host the console",
    ]);
  });

  it("accepts hosting off with https URLs: they alone are the client's URLs and CORS origins", () => {
    const config = parseAccountConfig(
      withApp(
        EXAMPLE,
        '  console:\n    enabled: false\n  webCallbackUrls: ["https://finops.example.com/cb"]\n  webLogoutUrls: ["https://finops.example.com/"]',
      ),
      "t.yaml",
    );
    expect(consoleHostingEnabled(config)).toBe(false);
    expect(webClientUrls(config)).toEqual({
      callbackUrls: ["https://finops.example.com/cb"],
      logoutUrls: ["https://finops.example.com/"],
      corsOrigins: ["https://finops.example.com"],
    });
  });

  it("needs a us-east-1 certificate with a custom domain, and the domain with a certificate", () => {
    expect(errorsOf(withApp(EXAMPLE, "  console:\n    domain: finops.example.com"))).toEqual([
      'app.console.certificateArn: is required with app.console.domain "finops.example.com": CloudFront serves a custom domain only with an ACM certificate in us-east-1 that covers it; add certificateArn, or remove domain to use the distribution\'s own domain',
    ]);
    const euCert = "arn:aws:acm:eu-west-1:000000000002:certificate/11111111-2222-3333-4444-555555555555";
    expect(
      errorsOf(
        withApp(EXAMPLE, `  console:\n    domain: finops.example.com\n    certificateArn: "${euCert}"`),
      ),
    ).toEqual([
      `app.console.certificateArn: "${euCert}" is not an ACM certificate ARN in us-east-1; CloudFront uses certificates from ACM in us-east-1 only (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html): request or import it there and give its ARN`,
    ]);
    expect(
      errorsOf(
        withApp(
          EXAMPLE,
          '  console:\n    certificateArn: "arn:aws:acm:us-east-1:000000000002:certificate/11111111-2222-3333-4444-555555555555"',
        ),
      ),
    ).toEqual([
      "app.console.domain: is required with app.console.certificateArn: the certificate is only used for a custom domain; add domain, or remove certificateArn",
    ]);
  });

  it("refuses a regional WAF web ACL (CloudFront needs scope CLOUDFRONT)", () => {
    const regional =
      "arn:aws:wafv2:eu-west-1:000000000002:regional/webacl/finops/66666666-7777-8888-9999-000000000000";
    expect(errorsOf(withApp(EXAMPLE, `  console:\n    webAclArn: "${regional}"`))).toEqual([
      expect.stringContaining(
        `app.console.webAclArn: "${regional}" is not a WAF web ACL ARN of scope CLOUDFRONT`,
      ),
    ]);
  });

  it("needs us-east-1 among the admin's regions for the access-log delivery", () => {
    const euAdmin = EXAMPLE.replace(
      "email: aws-cloudops@example.com\n  regions: [us-east-1]",
      "email: aws-cloudops@example.com\n  regions: [eu-west-1]",
    );
    expect(errorsOf(euAdmin)).toContain(
      "admin.regions: has no us-east-1, which the hosted console needs: CloudFront's access-log delivery is configured there; add us-east-1 to admin.regions (after the primary region is fine), or set app.console.enabled: false",
    );
  });

  it("refuses an unknown MFA setting", () => {
    expect(errorsOf(withApp(EXAMPLE, "  mfa: sometimes"))).toEqual([
      'app.mfa: "sometimes" is not an MFA setting; use required or optional',
    ]);
  });
});

describe("target local", () => {
  it("keeps localhost sign-in, optional MFA and no hosting by default", () => {
    const config = parseAccountConfig(LOCAL, "local.yaml");
    expect(consoleHostingEnabled(config)).toBe(false);
    expect(mfaSetting(config)).toBe("optional");
    expect(webClientUrls(config)).toEqual({
      callbackUrls: ["http://localhost:5173/callback"],
      logoutUrls: ["http://localhost:5173/"],
      corsOrigins: ["http://localhost:5173"],
    });
  });

  it("accepts another localhost port for the local API front (configurable)", () => {
    const config = parseAccountConfig(
      withApp(
        LOCAL,
        '  webCallbackUrls: ["http://localhost:4620/callback"]\n  webLogoutUrls: ["http://localhost:4620/"]',
      ),
      "t.yaml",
    );
    expect(webClientUrls(config).corsOrigins).toEqual(["http://localhost:4620"]);
  });

  it("refuses required MFA, which the emulator turns into an MFA_SETUP challenge for the demo users", () => {
    // moto 5.2.1 (cognitoidp/models.py, initiate_auth): pool MFA "ON" and no verified TOTP → MFA_SETUP.
    expect(errorsOf(withApp(LOCAL, "  mfa: required"))).toEqual([
      'app.mfa: is "required", which would lock out the local demo users: the emulated user pool then answers every password sign-in with an MFA_SETUP challenge, which the local console\'s sign-in does not handle; remove mfa (optional is the local default)',
    ]);
  });

  it("refuses hosting the console (no CloudFront in the emulator)", () => {
    expect(errorsOf(withApp(LOCAL, "  console:\n    enabled: true"))).toEqual([
      "app.console.enabled: is true, which target local does not support: the emulator has no CloudFront, and npm run local serves the console from the local API front instead; remove enabled (or set it to false)",
    ]);
  });
});
