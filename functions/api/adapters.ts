/**
 * Adapters of the API's other ports: the Cognito user pool as the user directory, and Step
 * Functions as the approval workflow.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminRemoveUserFromGroupCommand,
  type CognitoIdentityProviderClient,
  paginateAdminListGroupsForUser,
  paginateListUsers,
  paginateListUsersInGroup,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { SendTaskSuccessCommand, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { GROUPS, type Group } from "../../contracts/api";
import type { DirectoryUser } from "./domain";
import { type ApprovalWorkflow, ConflictError, type UserDirectory } from "./repository";

const isGroup = (g: string | undefined): g is Group => (GROUPS as readonly string[]).includes(g ?? "");

/** A Cognito user (ListUsers' or AdminCreateUser's UserType) as the directory shows it. */
function directoryUser(u: UserType & { Username: string }, groups: Group[]): DirectoryUser {
  const attr = (name: string) => u.Attributes?.find((a) => a.Name === name)?.Value;
  const sub = attr("sub");
  const email = attr("email");
  return {
    username: u.Username,
    ...(sub ? { sub } : {}),
    ...(email ? { email } : {}),
    emailVerified: attr("email_verified") === "true",
    enabled: u.Enabled ?? true,
    ...(u.UserStatus ? { status: u.UserStatus } : {}),
    groups,
  };
}

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
        users.push(directoryUser({ ...u, Username: u.Username }, groupsOf.get(u.Username) ?? []));
      }
    }
    return users.sort((a, b) => a.username.localeCompare(b.username));
  }

  /**
   * AdminCreateUser with the email as Username (the pool's username attribute is email, so Cognito
   * generates the opaque username) and email_verified "true"; no MessageAction, so Cognito sends
   * the invitation with a temporary password by email (DesiredDeliveryMediums EMAIL).
   * UsernameExistsException (a user has that email) becomes a ConflictError.
   */
  async createUser(email: string): Promise<DirectoryUser> {
    try {
      const out = await this.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: email,
          UserAttributes: [
            { Name: "email", Value: email },
            { Name: "email_verified", Value: "true" },
          ],
          DesiredDeliveryMediums: ["EMAIL"],
        }),
      );
      if (!out.User?.Username) throw new Error(`Cognito created no user for ${email}`);
      return directoryUser({ ...out.User, Username: out.User.Username }, []);
    } catch (e) {
      if ((e as Error).name === "UsernameExistsException")
        throw new ConflictError(`a user with email ${email} exists`);
      throw e;
    }
  }

  /** AdminListGroupsForUser, FinOps groups only; UserNotFoundException becomes undefined. */
  async groupsOf(username: string): Promise<Group[] | undefined> {
    const groups: Group[] = [];
    try {
      for await (const page of paginateAdminListGroupsForUser(
        { client: this.cognito },
        { UserPoolId: this.userPoolId, Username: username },
      ))
        for (const g of page.Groups ?? []) if (isGroup(g.GroupName)) groups.push(g.GroupName);
    } catch (e) {
      if ((e as Error).name === "UserNotFoundException") return undefined;
      throw e;
    }
    return groups;
  }

  async addToGroup(username: string, group: Group): Promise<void> {
    await this.cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: username, GroupName: group }),
    );
  }

  async removeFromGroup(username: string, group: Group): Promise<void> {
    await this.cognito.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: this.userPoolId,
        Username: username,
        GroupName: group,
      }),
    );
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
