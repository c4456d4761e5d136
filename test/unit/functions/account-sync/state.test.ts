import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { OrganizationsClient } from "@aws-sdk/client-organizations";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  accountStateOf,
  listOrganizationAccounts,
  type OrgAccount,
  stateGroupOf,
  syncAccounts,
} from "../../../../functions/account-sync/sync";

/**
 * The account's Organizations state as account-sync reads and stores it.
 *
 * The responses below are built as AWS documents the Account object of ListAccounts/DescribeAccount,
 * not as the emulator answers:
 * - https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html — `State`:
 *   PENDING_ACTIVATION | ACTIVE | SUSPENDED | PENDING_CLOSURE | CLOSED; `Status` (ACTIVE | SUSPENDED |
 *   PENDING_CLOSURE) is retired on 9 September 2026 in favour of `State`.
 * - https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_account_state.html
 *   — what each state means (PENDING_ACTIVATION: sign-up not completed, unusable; ACTIVE: fully
 *   operational; …).
 * Both fields are optional in the API model, so a response may carry State only (after the
 * retirement), Status only (an older API or endpoint), both (until the retirement), or neither.
 */

type RawAccount = Record<string, unknown>;

/** An Organizations client that answers ListAccounts with `accounts` (one page) and every parent as the root. */
function fakeOrg(accounts: readonly RawAccount[]): OrganizationsClient {
  return {
    send: async (cmd: { constructor: { name: string } }) => {
      const name = cmd.constructor.name;
      if (name === "ListAccountsCommand") return { Accounts: accounts };
      if (name === "ListParentsCommand") return { Parents: [{ Id: "r-abcd", Type: "ROOT" }] };
      throw new Error(`unexpected ${name}`);
    },
  } as unknown as OrganizationsClient;
}

/** A documented Account object (ListAccounts' Accounts[] entry) with the given state fields. */
function account(id: string, fields: RawAccount): RawAccount {
  return {
    Id: id,
    Arn: `arn:aws:organizations::111111111111:account/o-exampleorgid/${id}`,
    Email: `a${id}@example.com`,
    Name: `acct-${id}`,
    JoinedMethod: "CREATED",
    JoinedTimestamp: new Date("2025-03-01T00:00:00Z"),
    ...fields,
  };
}

interface Stored {
  readonly updates: Record<string, unknown>[];
  readonly commands: string[];
}

/**
 * A DocumentClient whose send records each command: UpdateItem answers with the item as it was
 * (`existing`), Scan lists `existing`. The paginator needs a real DynamoDBDocumentClient instance.
 */
function fakeDdb(existing: Record<string, Record<string, unknown>> = {}): {
  ddb: DynamoDBDocumentClient;
  stored: Stored;
} {
  const stored: Stored = { updates: [], commands: [] };
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } }),
  );
  ddb.send = (async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
    stored.commands.push(cmd.constructor.name);
    if (cmd.constructor.name === "UpdateCommand") {
      stored.updates.push(cmd.input);
      const key = (cmd.input.Key as { accountId: string }).accountId;
      return { Attributes: existing[key] };
    }
    if (cmd.constructor.name === "ScanCommand") return { Items: Object.values(existing) };
    throw new Error(`unexpected ${cmd.constructor.name}`);
  }) as typeof ddb.send;
  return { ddb, stored };
}

const storedStatus = (stored: Stored) =>
  Object.fromEntries(
    stored.updates.map((u) => [
      (u.Key as { accountId: string }).accountId,
      (u.ExpressionAttributeValues as Record<string, unknown>)[":status"],
    ]),
  );

describe("accountStateOf", () => {
  it.each([
    // State only (after the retirement of Status)
    [{ State: "PENDING_ACTIVATION" }, "PENDING_ACTIVATION", "State"],
    [{ State: "ACTIVE" }, "ACTIVE", "State"],
    [{ State: "SUSPENDED" }, "SUSPENDED", "State"],
    [{ State: "PENDING_CLOSURE" }, "PENDING_CLOSURE", "State"],
    [{ State: "CLOSED" }, "CLOSED", "State"],
    // Status only (an older API)
    [{ Status: "ACTIVE" }, "ACTIVE", "Status"],
    [{ Status: "SUSPENDED" }, "SUSPENDED", "Status"],
    [{ Status: "PENDING_CLOSURE" }, "PENDING_CLOSURE", "Status"],
    // both: State wins, also where Status has no equivalent (a closed account's Status stays SUSPENDED)
    [{ State: "ACTIVE", Status: "ACTIVE" }, "ACTIVE", "State"],
    [{ State: "CLOSED", Status: "SUSPENDED" }, "CLOSED", "State"],
    [{ State: "PENDING_ACTIVATION", Status: "ACTIVE" }, "PENDING_ACTIVATION", "State"],
    // neither: UNKNOWN, never a guessed ACTIVE
    [{}, "UNKNOWN", "none"],
    [{ State: "", Status: null }, "UNKNOWN", "none"],
  ])("%j → %s (from %s)", (raw, state, source) => {
    expect(accountStateOf(raw)).toEqual({ state, source });
  });

  it("keeps a value neither field documents as UNKNOWN with what was sent", () => {
    expect(accountStateOf({ State: "ARCHIVED" })).toEqual({
      state: "UNKNOWN",
      source: "State",
      raw: "ARCHIVED",
    });
    expect(accountStateOf({ Status: "CLOSED" })).toEqual({
      state: "UNKNOWN",
      source: "Status",
      raw: "CLOSED",
    });
  });
});

describe("stateGroupOf", () => {
  it.each([
    ["ACTIVE", "active"],
    ["PENDING_ACTIVATION", "pendingActivation"],
    ["SUSPENDED", "suspended"],
    ["PENDING_CLOSURE", "closing"],
    ["CLOSED", "closing"],
    ["UNKNOWN", "unknown"],
  ])("%s is %s", (state, group) => {
    expect(stateGroupOf(state)).toBe(group);
  });
});

describe("listOrganizationAccounts reads State, then the retired Status", () => {
  it("takes every documented State value as it is", async () => {
    const states = ["PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED"];
    const org = fakeOrg(states.map((State, i) => account(`10000000000${i}`, { State })));
    const found = await listOrganizationAccounts(org);
    expect(found.map((a) => [a.orgStatus, a.stateSource])).toEqual(states.map((s) => [s, "State"]));
  });

  it("reads Status where an old API sends only it, prefers State when both come, and says UNKNOWN when neither does", async () => {
    const org = fakeOrg([
      account("200000000001", { Status: "ACTIVE" }),
      account("200000000002", { Status: "SUSPENDED" }),
      account("200000000003", { Status: "PENDING_CLOSURE" }),
      account("200000000004", { State: "CLOSED", Status: "SUSPENDED" }),
      account("200000000005", {}),
    ]);
    const found = await listOrganizationAccounts(org);
    expect(found.map((a) => [a.accountId, a.orgStatus, a.stateSource])).toEqual([
      ["200000000001", "ACTIVE", "Status"],
      ["200000000002", "SUSPENDED", "Status"],
      ["200000000003", "PENDING_CLOSURE", "Status"],
      ["200000000004", "CLOSED", "State"],
      ["200000000005", "UNKNOWN", "none"],
    ]);
  });
});

describe("syncAccounts stores each state and reports it", () => {
  const now = () => new Date("2026-12-02T03:00:00.000Z");

  it("stores every state as orgStatus and groups the accounts: suspended, closing, pending activation, unknown", async () => {
    const org = fakeOrg([
      account("300000000001", { State: "ACTIVE" }),
      account("300000000002", { State: "PENDING_ACTIVATION" }),
      account("300000000003", { State: "SUSPENDED" }),
      account("300000000004", { State: "PENDING_CLOSURE" }),
      account("300000000005", { State: "CLOSED", Status: "SUSPENDED" }),
      account("300000000006", { Status: "SUSPENDED" }),
      account("300000000007", {}),
      account("300000000008", { State: "ARCHIVED" }),
    ]);
    const { ddb, stored } = fakeDdb();
    const result = await syncAccounts(
      { ddb, accountsTable: "accounts", now },
      await listOrganizationAccounts(org),
    );

    expect(storedStatus(stored)).toEqual({
      "300000000001": "ACTIVE",
      "300000000002": "PENDING_ACTIVATION",
      "300000000003": "SUSPENDED",
      "300000000004": "PENDING_CLOSURE",
      "300000000005": "CLOSED",
      "300000000006": "SUSPENDED",
      "300000000007": "UNKNOWN",
      "300000000008": "UNKNOWN",
    });
    expect(result).toMatchObject({
      seen: 8,
      suspended: ["300000000003", "300000000006"],
      closing: ["300000000004", "300000000005"],
      pendingActivation: ["300000000002"],
      unknownState: [
        { accountId: "300000000007", source: "none" },
        { accountId: "300000000008", source: "State", raw: "ARCHIVED" },
      ],
      removed: [],
    });
    // PENDING_ACTIVATION is not suspended; ACTIVE is in no group.
    expect(result.suspended).not.toContain("300000000002");
    for (const group of [result.suspended, result.closing, result.pendingActivation])
      expect(group).not.toContain("300000000001");
  });

  it("keeps a suspended or closed account's allocation, first-seen date and history: it updates, never deletes", async () => {
    const existing = {
      "400000000001": {
        accountId: "400000000001",
        orgStatus: "ACTIVE",
        allocationStatus: "allocated",
        budgetId: "team-app-2026",
        firstSeen: "2025-01-01T00:00:00.000Z",
      },
      "400000000002": {
        accountId: "400000000002",
        orgStatus: "SUSPENDED",
        allocationStatus: "allocated",
        budgetId: "team-data-2026",
        firstSeen: "2025-02-01T00:00:00.000Z",
      },
    };
    const accounts: OrgAccount[] = await listOrganizationAccounts(
      fakeOrg([
        account("400000000001", { State: "CLOSED" }),
        account("400000000002", { State: "SUSPENDED" }),
      ]),
    );
    const { ddb, stored } = fakeDdb(existing);
    const result = await syncAccounts({ ddb, accountsTable: "accounts", now }, accounts);

    expect(stored.commands).not.toContain("DeleteCommand");
    expect(result).toMatchObject({ added: [], updated: 2, removed: [] });
    expect(storedStatus(stored)).toEqual({ "400000000001": "CLOSED", "400000000002": "SUSPENDED" });
    for (const u of stored.updates) {
      const expr = String(u.UpdateExpression);
      expect(expr).not.toMatch(/budgetId/);
      expect(expr).toContain("allocationStatus = if_not_exists(allocationStatus, :unallocated)");
      expect(expr).toContain("firstSeen = if_not_exists(firstSeen, :now)");
    }
  });

  it("a CLOSED account the organization later stops listing becomes REMOVED, like any other", async () => {
    const existing = {
      "500000000001": { accountId: "500000000001", orgStatus: "CLOSED", allocationStatus: "allocated" },
    };
    const { ddb, stored } = fakeDdb(existing);
    const result = await syncAccounts({ ddb, accountsTable: "accounts", now }, []);
    expect(result.removed).toEqual(["500000000001"]);
    expect(stored.updates[0]).toMatchObject({
      Key: { accountId: "500000000001" },
      ExpressionAttributeValues: { ":removed": "REMOVED", ":now": "2026-12-02T03:00:00.000Z" },
    });
    expect(stored.commands).not.toContain("DeleteCommand");
  });
});
