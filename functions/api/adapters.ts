/**
 * Adapters of the API's other ports: the Cognito user pool as the user directory, and Step
 * Functions as the approval workflow.
 */
import {
  type CognitoIdentityProviderClient,
  paginateListUsers,
  paginateListUsersInGroup,
} from "@aws-sdk/client-cognito-identity-provider";
import { SendTaskSuccessCommand, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { GROUPS, type Group } from "../../contracts/api";
import type { DirectoryUser } from "./domain";
import type { ApprovalWorkflow, UserDirectory } from "./repository";

/**
 * The user pool as the directory of GET /users. `Username` is Cognito's generated username (an
 * opaque UUID: the pool signs in by email), so the `sub`, `email` and `email_verified` attributes
 * are read alongside it; only a verified email is matched against budget owners and managers.
 */
export class CognitoDirectory implements UserDirectory {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async listUsers(): Promise<DirectoryUser[]> {
    const groupsOf = new Map<string, Group[]>();
    for (const group of GROUPS) {
      for await (const page of paginateListUsersInGroup(
        { client: this.cognito },
        { UserPoolId: this.userPoolId, GroupName: group },
      )) {
        for (const u of page.Users ?? []) {
          if (!u.Username) continue;
          groupsOf.set(u.Username, [...(groupsOf.get(u.Username) ?? []), group]);
        }
      }
    }
    const users: DirectoryUser[] = [];
    for await (const page of paginateListUsers({ client: this.cognito }, { UserPoolId: this.userPoolId })) {
      for (const u of page.Users ?? []) {
        if (!u.Username) continue;
        const attr = (name: string) => u.Attributes?.find((a) => a.Name === name)?.Value;
        const sub = attr("sub");
        const email = attr("email");
        users.push({
          username: u.Username,
          ...(sub ? { sub } : {}),
          ...(email ? { email } : {}),
          emailVerified: attr("email_verified") === "true",
          enabled: u.Enabled ?? true,
          ...(u.UserStatus ? { status: u.UserStatus } : {}),
          groups: groupsOf.get(u.Username) ?? [],
        });
      }
    }
    return users.sort((a, b) => a.username.localeCompare(b.username));
  }
}

export class StepFunctionsWorkflow implements ApprovalWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(change: { changeId: string }): Promise<string> {
    const out = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name: change.changeId,
        input: JSON.stringify({ changeId: change.changeId }),
      }),
    );
    if (!out.executionArn)
      throw new Error(`Step Functions did not start an execution for change ${change.changeId}`);
    return out.executionArn;
  }

  async complete(
    taskToken: string,
    decision: { decision: "approve" | "reject"; by: string; note?: string },
  ): Promise<void> {
    await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(decision) }));
  }
}
