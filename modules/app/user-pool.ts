import { CognitoUserGroup } from "@cdktf/provider-aws/lib/cognito-user-group";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Names } from "../../config/naming";
import type { AppConfig } from "../../config/schema";
import { GROUPS, type Group } from "../../contracts/api";

/** What each group may do (shown in the console; enforced by the API handlers). */
export const GROUP_DESCRIPTIONS: Readonly<Record<Group, string>> = {
  Admins: "Everything, including the user list and scopes",
  FinancialAdmins: "All budgets, accounts and spend; create and change budgets; decide budget changes",
  BUManagers: "Budgets of their business unit that they own or manage, and those budgets' accounts",
  DepartmentManagers: "Budgets of their department that they own or manage, and those budgets' accounts",
  PortfolioManagers: "Budgets of their portfolio that they own or manage, and those budgets' accounts",
  ProductManagers: "Budgets of their product that they own or manage, and those budgets' accounts",
};

export interface UserPoolProps {
  readonly names: Names;
  readonly app: AppConfig;
  /** Sign-in callback and sign-out URLs of the web client (config/console.ts webClientUrls). */
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  /**
   * TOTP MFA (config/console.ts mfaSetting): required makes Cognito ask every user for a TOTP code,
   * set up at the first sign-in; optional asks only users who set one up.
   */
  readonly mfa: "required" | "optional";
  /** prevent_destroy and deletion protection (the users are data). @default true */
  readonly protect?: boolean;
  readonly provider?: TerraformProvider;
}

/**
 * The FinOps users: admin-created only (invited by email with a temporary password), email as the
 * username, a strong password policy, TOTP MFA (required or optional per config), threat protection per config, the
 * FinOps groups, and one public app client for the web front end (authorization code with PKCE,
 * no secret, no implicit flow, no password auth).
 */
export class UserPool extends Construct {
  readonly pool: CognitoUserPool;
  readonly webClient: CognitoUserPoolClient;
  readonly domain: CognitoUserPoolDomain;
  readonly groups: Readonly<Record<Group, CognitoUserGroup>>;

  constructor(scope: Construct, id: string, props: UserPoolProps) {
    super(scope, id);
    const { names, app, provider } = props;
    const protect = props.protect ?? true;
    this.pool = new CognitoUserPool(this, "pool", {
      provider,
      name: names.userPool,
      usernameAttributes: ["email"],
      autoVerifiedAttributes: ["email"],
      usernameConfiguration: { caseSensitive: false },
      adminCreateUserConfig: {
        allowAdminCreateUserOnly: true,
        inviteMessageTemplate: {
          emailSubject: "Your FinOps account",
          emailMessage:
            "You have been invited to the FinOps application. Username: {username}, temporary password: {####}. You will choose a new password at first sign-in.",
          smsMessage: "FinOps username {username}, temporary password {####}",
        },
      },
      passwordPolicy: {
        minimumLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 3,
        passwordHistorySize: app.threatProtection === "off" ? undefined : 5,
      },
      // Cognito MFA is a pool setting (OFF | ON | OPTIONAL), not a group one: "required" (ON) is
      // how Admins and FinancialAdmins are sure to sign in with TOTP (docs/console-hosting.md, "MFA").
      mfaConfiguration: props.mfa === "required" ? "ON" : "OPTIONAL",
      softwareTokenMfaConfiguration: { enabled: true },
      accountRecoverySetting: { recoveryMechanism: [{ name: "verified_email", priority: 1 }] },
      userPoolTier: app.threatProtection === "off" ? "ESSENTIALS" : "PLUS",
      ...(app.threatProtection === "off"
        ? {}
        : {
            userPoolAddOns: {
              advancedSecurityMode: app.threatProtection === "enforced" ? "ENFORCED" : "AUDIT",
            },
          }),
      deletionProtection: protect ? "ACTIVE" : "INACTIVE",
      lifecycle: { preventDestroy: protect },
    });
    const groups = {} as Record<Group, CognitoUserGroup>;
    GROUPS.forEach((group, i) => {
      groups[group] = new CognitoUserGroup(this, `group-${group}`, {
        provider,
        userPoolId: this.pool.id,
        name: group,
        description: GROUP_DESCRIPTIONS[group],
        precedence: i,
      });
    });
    this.groups = groups;
    this.webClient = new CognitoUserPoolClient(this, "web-client", {
      provider,
      name: names.webClient,
      userPoolId: this.pool.id,
      generateSecret: false,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ["code"],
      allowedOauthScopes: ["openid", "email", "profile"],
      supportedIdentityProviders: ["COGNITO"],
      // Exactly the attributes the API reads from the ID token (functions/api/router.ts: a scope by
      // email needs email_verified). Left unset, AWS lets the client read email_verified,
      // phone_number_verified and every standard attribute (CreateUserPoolClient, ReadAttributes);
      // the emulator then puts none of them in its ID tokens.
      readAttributes: ["email", "email_verified"],
      callbackUrls: [...props.callbackUrls],
      logoutUrls: [...props.logoutUrls],
      explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      preventUserExistenceErrors: "ENABLED",
      enableTokenRevocation: true,
      accessTokenValidity: 60,
      idTokenValidity: 60,
      refreshTokenValidity: 12,
      tokenValidityUnits: [{ accessToken: "minutes", idToken: "minutes", refreshToken: "hours" }],
    });
    this.domain = new CognitoUserPoolDomain(this, "domain", {
      provider,
      domain: names.userPoolDomain,
      userPoolId: this.pool.id,
    });
  }
}
