/**
 * The Cognito adapter of the user operations, against a client whose `send` records the commands
 * (Cognito cannot run in unit tests; test/integration/api.test.ts runs the adapter against the
 * emulated pool). Request fields as the Cognito API reference documents them:
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html
 * (MessageAction unset = Cognito sends the invitation; DesiredDeliveryMediums EMAIL;
 * UsernameExistsException), API_AdminListGroupsForUser.html (UserNotFoundException).
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoDirectory } from "../../../../functions/api/adapters";
import { ConflictError } from "../../../../functions/api/repository";

/** A real client (the paginators require one) whose `send` records commands instead of calling AWS. */
function client(answer: (command: unknown) => unknown) {
  const sent: { name: string; input: unknown }[] = [];
  const cognito = new CognitoIdentityProviderClient({ region: "us-east-1" });
  cognito.send = (async (command: { constructor: { name: string }; input: unknown }) => {
    sent.push({ name: command.constructor.name, input: command.input });
    return answer(command);
  }) as unknown as CognitoIdentityProviderClient["send"];
  return { sent, cognito };
}

const awsError = (name: string) => Object.assign(new Error(name), { name });

describe("CognitoDirectory (user administration)", () => {
  it("invites with the email as username, verified, and lets Cognito send the invitation by email", async () => {
    const { sent, cognito } = client(() => ({
      User: {
        Username: "0f1e2d3c-4b5a-4697-8877-665544332211",
        Attributes: [
          { Name: "sub", Value: "0f1e2d3c-4b5a-4697-8877-665544332211" },
          { Name: "email", Value: "new@example.com" },
          { Name: "email_verified", Value: "true" },
        ],
        Enabled: true,
        UserStatus: "FORCE_CHANGE_PASSWORD",
      },
    }));
    const user = await new CognitoDirectory(cognito, "us-east-1_Example").createUser("new@example.com");
    expect(sent).toEqual([
      {
        name: AdminCreateUserCommand.name,
        input: {
          UserPoolId: "us-east-1_Example",
          Username: "new@example.com",
          UserAttributes: [
            { Name: "email", Value: "new@example.com" },
            { Name: "email_verified", Value: "true" },
          ],
          DesiredDeliveryMediums: ["EMAIL"],
        },
      },
    ]);
    expect(sent[0]!.input).not.toHaveProperty("MessageAction");
    expect(sent[0]!.input).not.toHaveProperty("TemporaryPassword");
    expect(user).toEqual({
      username: "0f1e2d3c-4b5a-4697-8877-665544332211",
      sub: "0f1e2d3c-4b5a-4697-8877-665544332211",
      email: "new@example.com",
      emailVerified: true,
      enabled: true,
      status: "FORCE_CHANGE_PASSWORD",
      groups: [],
    });
  });

  it("turns UsernameExistsException into a ConflictError and passes other errors on", async () => {
    await expect(
      new CognitoDirectory(
        client(() => {
          throw awsError("UsernameExistsException");
        }).cognito,
        "p",
      ).createUser("a@example.com"),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      new CognitoDirectory(
        client(() => {
          throw awsError("AccessDeniedException");
        }).cognito,
        "p",
      ).createUser("a@example.com"),
    ).rejects.toThrow("AccessDeniedException");
  });

  it("reads a user's FinOps groups (others ignored), undefined for an unknown user", async () => {
    const { sent, cognito } = client(() => ({
      Groups: [
        { GroupName: "BUManagers" },
        { GroupName: "us-east-1_Example_Google" },
        { GroupName: "Admins" },
      ],
    }));
    expect(await new CognitoDirectory(cognito, "p").groupsOf("u-1")).toEqual(["BUManagers", "Admins"]);
    expect(sent).toEqual([
      { name: AdminListGroupsForUserCommand.name, input: { UserPoolId: "p", Username: "u-1" } },
    ]);
    const missing = client(() => {
      throw awsError("UserNotFoundException");
    });
    expect(await new CognitoDirectory(missing.cognito, "p").groupsOf("nobody")).toBeUndefined();
  });

  it("adds and removes one group per call", async () => {
    const { sent, cognito } = client(() => ({}));
    const d = new CognitoDirectory(cognito, "p");
    await d.addToGroup("u-1", "FinancialAdmins");
    await d.removeFromGroup("u-1", "BUManagers");
    expect(sent).toEqual([
      {
        name: AdminAddUserToGroupCommand.name,
        input: { UserPoolId: "p", Username: "u-1", GroupName: "FinancialAdmins" },
      },
      {
        name: AdminRemoveUserFromGroupCommand.name,
        input: { UserPoolId: "p", Username: "u-1", GroupName: "BUManagers" },
      },
    ]);
  });
});
