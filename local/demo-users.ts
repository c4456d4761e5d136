/**
 * Demo users for the local organization: one user per FinOps group in the emulated user pool, with
 * a known password (local only; moto issues no real tokens), and example API calls to print.
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
  /** The HTTP API's endpoint when known (the stack output); a placeholder is printed otherwise. */
  readonly apiEndpoint?: string;
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

/** Lines to print after `npm run local`: the users and example calls. */
export function demoUsersReport(demo: DemoUsers): string[] {
  const api = demo.apiEndpoint ?? "https://<api-id>.execute-api.<region>.amazonaws.com";
  return [
    `users      ${demo.users.length} demo users in ${demo.userPoolId} (password ${DEMO_PASSWORD}, local only):`,
    ...demo.users.map(
      (u) => `             ${u.group.padEnd(19)} ${u.username}${u.created ? "" : " (existed)"}`,
    ),
    "api        example calls (in AWS, with an ID token from the hosted UI; the emulator does not run Lambda code,",
    "           so locally the API handler runs in-process: test/integration/api.test.ts):",
    `             curl -H "Authorization: Bearer $TOKEN" ${api}/budgets?year=2026`,
    `             curl -H "Authorization: Bearer $TOKEN" "${api}/accounts?unallocated=true"`,
    `             curl -H "Authorization: Bearer $TOKEN" "${api}/spend?month=2026-03&groupBy=service"`,
    `             curl -X POST -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" \\`,
    `               -d '{"budgetId":"retail","year":2026,"name":"Retail","amountUsd":365000,"owner":"${demoUsername("BUManagers")}","scope":{"level":"businessUnit","name":"Retail"}}' ${api}/budgets`,
  ];
}
