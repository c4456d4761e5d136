/**
 * Demo users for the local organization: one user per FinOps group in the emulated user pool, with
 * a known password (local only), who sign in through the emulated pool's API (local/sign-in.ts).
 * `scripts/local-org.ts` calls createDemoUsers after the admin stack is applied.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ListUserPoolsCommand,
  UsernameExistsException,
} from "@aws-sdk/client-cognito-identity-provider";
import { Names } from "../config/naming";
import type { AccountConfig } from "../config/schema";
import { GROUPS } from "../contracts/api";
import { clientConfigForAccount } from "../emulator/aws-clients";

/** Password of every demo user: local emulator only, never a real account. */
export const DEMO_PASSWORD = "Local-Demo-Passw0rd!";

export interface DemoUsers {
  readonly userPoolId: string;
  readonly users: readonly { username: string; group: string; created: boolean }[];
}

export const demoUsername = (group: string) => `demo-${group.toLowerCase()}@example.com`;

export async function createDemoUsers(config: AccountConfig, endpoint: string): Promise<DemoUsers> {
  const names = new Names(config);
  const client = await clientConfigForAccount(endpoint, config.admin.id, config.organization.homeRegion);
  const cognito = new CognitoIdentityProviderClient(client);
  try {
    const pools = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    const pool = pools.UserPools?.find((p) => p.Name === names.userPool);
    if (!pool?.Id)
      throw new Error(
        `no user pool ${names.userPool} in the admin account ${config.admin.id}; apply the admin stack first`,
      );
    const users = [];
    for (const group of GROUPS) {
      const username = demoUsername(group);
      let created = true;
      try {
        await cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: pool.Id,
            Username: username,
            UserAttributes: [
              { Name: "email", Value: username },
              { Name: "email_verified", Value: "true" },
            ],
            MessageAction: "SUPPRESS",
          }),
        );
      } catch (e) {
        if (!(e instanceof UsernameExistsException) && (e as Error).name !== "UsernameExistsException")
          throw e;
        created = false;
      }
      await cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: pool.Id,
          Username: username,
          Password: DEMO_PASSWORD,
          Permanent: true,
        }),
      );
      await cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: pool.Id, Username: username, GroupName: group }),
      );
      users.push({ username, group, created });
    }
    return { userPoolId: pool.Id, users };
  } finally {
    cognito.destroy();
  }
}

/** Lines to print after `npm run local`: the users (the API front's lines follow, scripts/local.ts). */
export function demoUsersReport(demo: DemoUsers): string[] {
  return [
    `users      ${demo.users.length} demo users in ${demo.userPoolId} (password ${DEMO_PASSWORD}, local only):`,
    ...demo.users.map(
      (u) => `             ${u.group.padEnd(19)} ${u.username}${u.created ? "" : " (existed)"}`,
    ),
  ];
}
