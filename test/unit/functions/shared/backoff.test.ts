import type { OrganizationsClient } from "@aws-sdk/client-organizations";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { listOrganizationAccounts } from "../../../../functions/account-sync/sync";
import { withBackoff } from "../../../../functions/shared/backoff";
import { batchWrite, newBatchStats } from "../../../../functions/shared/ddb-batch";

/**
 * Throttling and unprocessed items cannot be provoked on the emulator (moto never throttles), so
 * these tests use small fake clients: the only mocks of this suite.
 */
const throttled = () => Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" });
const noSleep = async () => {};

describe("bounded backoff", () => {
  it("retries throttling and gives up after maxAttempts", async () => {
    let calls = 0;
    await expect(
      withBackoff(
        async () => {
          calls++;
          throw throttled();
        },
        undefined,
        { maxAttempts: 4, sleep: noSleep },
      ),
    ).rejects.toThrow("Rate exceeded");
    expect(calls).toBe(4);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    await expect(
      withBackoff(
        async () => {
          calls++;
          throw new Error("AccessDenied");
        },
        undefined,
        { sleep: noSleep },
      ),
    ).rejects.toThrow("AccessDenied");
    expect(calls).toBe(1);
  });
});

describe("listOrganizationAccounts", () => {
  it("follows NextToken, resolves OU names once per OU and rides out throttling", async () => {
    const sent: string[] = [];
    let throttleOnce = true;
    const org = {
      send: async (cmd: { constructor: { name: string }; input: Record<string, string | undefined> }) => {
        const name = cmd.constructor.name;
        sent.push(name);
        if (name === "ListAccountsCommand") {
          if (throttleOnce) {
            throttleOnce = false;
            throw throttled();
          }
          return cmd.input.NextToken
            ? { Accounts: [{ Id: "333333333333", Name: "b", Email: "b@x", Status: "ACTIVE" }] }
            : {
                Accounts: [{ Id: "222222222222", Name: "a", Email: "a@x", Status: "SUSPENDED" }],
                NextToken: "t",
              };
        }
        if (name === "ListParentsCommand") return { Parents: [{ Id: "ou-1", Type: "ORGANIZATIONAL_UNIT" }] };
        if (name === "DescribeOrganizationalUnitCommand")
          return { OrganizationalUnit: { Name: "Workloads" } };
        throw new Error(name);
      },
    } as unknown as OrganizationsClient;
    const accounts = await listOrganizationAccounts(org, { sleep: noSleep });
    expect(accounts.map((a) => [a.accountId, a.ouName, a.orgStatus])).toEqual([
      ["222222222222", "Workloads", "SUSPENDED"],
      ["333333333333", "Workloads", "ACTIVE"],
    ]);
    expect(sent.filter((s) => s === "ListAccountsCommand")).toHaveLength(3);
    expect(sent.filter((s) => s === "DescribeOrganizationalUnitCommand")).toHaveLength(1);
  });
});

describe("batchWrite", () => {
  it("sends 25 items per request and resends unprocessed items until none are left", async () => {
    let first = true;
    const ddb = {
      send: async (cmd: { input: { RequestItems: Record<string, unknown[]> } }) => {
        const items = cmd.input.RequestItems.t!;
        if (first) {
          first = false;
          return { UnprocessedItems: { t: items.slice(0, 5) } };
        }
        return {};
      },
    } as unknown as DynamoDBDocumentClient;
    const stats = newBatchStats();
    const requests = Array.from({ length: 60 }, (_, i) => ({ PutRequest: { Item: { pk: String(i) } } }));
    await batchWrite(ddb, "t", requests, { stats, sleep: noSleep, concurrency: 1 });
    expect(stats).toEqual({ requests: 4, items: 65, retriedItems: 5 });
  });

  it("fails clearly when DynamoDB keeps items unprocessed", async () => {
    const ddb = {
      send: async (cmd: { input: { RequestItems: Record<string, unknown[]> } }) => ({
        UnprocessedItems: { t: cmd.input.RequestItems.t },
      }),
    } as unknown as DynamoDBDocumentClient;
    await expect(
      batchWrite(ddb, "t", [{ PutRequest: { Item: { pk: "1" } } }], { sleep: noSleep, maxAttempts: 3 }),
    ).rejects.toThrow(/left 1 items of t unprocessed after 3 attempts/);
  });
});
