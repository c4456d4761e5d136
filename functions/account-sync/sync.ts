import {
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListParentsCommand,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { type DynamoDBDocumentClient, paginateScan, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type BackoffOptions, withBackoff } from "../shared/backoff";

/** An account as the Organizations API reports it, with its parent OU. */
export interface OrgAccount {
  readonly accountId: string;
  readonly name: string;
  readonly email: string;
  /** ACTIVE, SUSPENDED or PENDING_CLOSURE (Organizations' status). */
  readonly orgStatus: string;
  readonly joinedAt?: string;
  readonly parentId: string;
  /** OU name, or "Root" for accounts directly under the root. */
  readonly ouName: string;
}

/**
 * Every account of the organization with its OU: ListAccounts (paginated), ListParents and
 * DescribeOrganizationalUnit (cached per OU), each call retried with bounded backoff when
 * Organizations throttles (its limits are low: a few requests per second per account).
 */
export async function listOrganizationAccounts(
  org: OrganizationsClient,
  backoff: BackoffOptions = {},
): Promise<OrgAccount[]> {
  const call = <T>(fn: () => Promise<T>) => withBackoff(fn, undefined, backoff);
  const raw = [];
  let token: string | undefined;
  do {
    const page = await call(() => org.send(new ListAccountsCommand({ NextToken: token })));
    raw.push(...(page.Accounts ?? []));
    token = page.NextToken;
  } while (token);

  const ouNames = new Map<string, string>();
  const out: OrgAccount[] = [];
  for (const a of raw) {
    const parents = await call(() => org.send(new ListParentsCommand({ ChildId: a.Id! })));
    const parent = parents.Parents?.[0];
    let ouName = "Root";
    if (parent?.Type === "ORGANIZATIONAL_UNIT" && parent.Id) {
      const cached = ouNames.get(parent.Id);
      if (cached) ouName = cached;
      else {
        const ou = await call(() =>
          org.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: parent.Id! })),
        );
        ouName = ou.OrganizationalUnit?.Name ?? parent.Id;
        ouNames.set(parent.Id, ouName);
      }
    }
    out.push({
      accountId: a.Id!,
      name: a.Name ?? "",
      email: a.Email ?? "",
      orgStatus: String(a.Status ?? "ACTIVE"),
      joinedAt: a.JoinedTimestamp?.toISOString(),
      parentId: parent?.Id ?? "",
      ouName,
    });
  }
  return out.sort((x, y) => x.accountId.localeCompare(y.accountId));
}

export interface SyncResult {
  readonly seen: number;
  /** Accounts seen for the first time: stored as unallocated. */
  readonly added: string[];
  readonly updated: number;
  /** Accounts in the table that the organization no longer lists: marked REMOVED, kept. */
  readonly removed: string[];
  readonly suspended: string[];
}

export interface SyncDeps {
  readonly ddb: DynamoDBDocumentClient;
  readonly accountsTable: string;
  readonly now?: () => Date;
}

/**
 * Upserts the organization's accounts. A new account is stored with allocationStatus
 * "unallocated" and firstSeen, so it can be mapped to a budget before it shows up in CUR; an
 * existing one keeps its allocation and first-seen date. Accounts the organization no longer lists
 * are marked orgStatus REMOVED (with removedAt); nothing is ever deleted.
 */
export async function syncAccounts(deps: SyncDeps, accounts: readonly OrgAccount[]): Promise<SyncResult> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const added: string[] = [];
  const suspended: string[] = [];
  for (const a of accounts) {
    const out = await deps.ddb.send(
      new UpdateCommand({
        TableName: deps.accountsTable,
        Key: { accountId: a.accountId },
        UpdateExpression:
          "SET #name = :name, email = :email, orgStatus = :status, parentId = :parent, ouName = :ou, lastSeen = :now, " +
          "firstSeen = if_not_exists(firstSeen, :now), allocationStatus = if_not_exists(allocationStatus, :unallocated)" +
          (a.joinedAt ? ", joinedAt = :joined" : "") +
          " REMOVE removedAt",
        ExpressionAttributeNames: { "#name": "name" },
        ExpressionAttributeValues: {
          ":name": a.name,
          ":email": a.email,
          ":status": a.orgStatus,
          ":parent": a.parentId,
          ":ou": a.ouName,
          ":now": now,
          ":unallocated": "unallocated",
          ...(a.joinedAt ? { ":joined": a.joinedAt } : {}),
        },
        ReturnValues: "ALL_OLD",
      }),
    );
    if (!out.Attributes?.firstSeen) added.push(a.accountId);
    if (a.orgStatus !== "ACTIVE") suspended.push(a.accountId);
  }

  const listed = new Set(accounts.map((a) => a.accountId));
  const removed: string[] = [];
  for await (const page of paginateScan(
    { client: deps.ddb },
    {
      TableName: deps.accountsTable,
      ProjectionExpression: "accountId, orgStatus",
      ConsistentRead: true,
    },
  )) {
    for (const item of page.Items ?? []) {
      const id = String(item.accountId);
      if (listed.has(id) || item.orgStatus === "REMOVED") continue;
      await deps.ddb.send(
        new UpdateCommand({
          TableName: deps.accountsTable,
          Key: { accountId: id },
          UpdateExpression: "SET orgStatus = :removed, removedAt = :now",
          ConditionExpression: "attribute_exists(accountId)",
          ExpressionAttributeValues: { ":removed": "REMOVED", ":now": now },
        }),
      );
      removed.push(id);
    }
  }
  return {
    seen: accounts.length,
    added,
    updated: accounts.length - added.length,
    removed: removed.sort(),
    suspended,
  };
}
