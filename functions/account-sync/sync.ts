import {
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListParentsCommand,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { type DynamoDBDocumentClient, paginateScan, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type BackoffOptions, withBackoff } from "../shared/backoff";

/**
 * The account states Organizations documents for the Account's `State` field (DescribeAccount,
 * ListAccounts): https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html and
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_account_state.html
 */
export const ACCOUNT_STATES = [
  "PENDING_ACTIVATION",
  "ACTIVE",
  "SUSPENDED",
  "PENDING_CLOSURE",
  "CLOSED",
] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

/**
 * What account-sync stores as `orgStatus`: one of Organizations' documented states; UNKNOWN when the
 * response carried neither `State` nor the retired `Status` (or a value neither documents), never a
 * guessed ACTIVE. REMOVED is set by the sync itself for accounts the organization no longer lists.
 */
export type OrgStatus = AccountState | "UNKNOWN";

/** The values of the retired `Status` field (retired 9 September 2026), each the same-named state. */
const LEGACY_STATUSES: readonly string[] = ["ACTIVE", "SUSPENDED", "PENDING_CLOSURE"];

/** Where an account's state was read from: `State`, the retired `Status`, or neither. */
export type StateSource = "State" | "Status" | "none";

/**
 * The account's state from an Organizations Account object. `State` wins; the retired `Status`
 * (ACTIVE, SUSPENDED, PENDING_CLOSURE) is read only where `State` is absent (an API or emulator that
 * still sends only it). Neither, or a value neither field documents: UNKNOWN, with the raw value
 * kept in `raw` so the caller can log it.
 */
export function accountStateOf(account: { readonly State?: unknown; readonly Status?: unknown }): {
  readonly state: OrgStatus;
  readonly source: StateSource;
  readonly raw?: string;
} {
  const state = account.State;
  if (typeof state === "string" && state !== "")
    return (ACCOUNT_STATES as readonly string[]).includes(state)
      ? { state: state as AccountState, source: "State" }
      : { state: "UNKNOWN", source: "State", raw: state };
  const status = account.Status;
  if (typeof status === "string" && status !== "")
    return LEGACY_STATUSES.includes(status)
      ? { state: status as AccountState, source: "Status" }
      : { state: "UNKNOWN", source: "Status", raw: status };
  return { state: "UNKNOWN", source: "none" };
}

/**
 * How the sync reports an account's state. Only ACTIVE is active; PENDING_ACTIVATION is not yet
 * usable but is not suspended; SUSPENDED (the retired `Status` also said so for a closed account),
 * PENDING_CLOSURE and CLOSED are not active. Nothing is dropped for its state.
 */
export type StateGroup = "active" | "pendingActivation" | "suspended" | "closing" | "unknown";
export function stateGroupOf(state: string): StateGroup {
  switch (state) {
    case "ACTIVE":
      return "active";
    case "PENDING_ACTIVATION":
      return "pendingActivation";
    case "SUSPENDED":
      return "suspended";
    case "PENDING_CLOSURE":
    case "CLOSED":
      return "closing";
    default:
      return "unknown";
  }
}

/** An account as the Organizations API reports it, with its parent OU. */
export interface OrgAccount {
  readonly accountId: string;
  readonly name: string;
  readonly email: string;
  /** The account's Organizations state (see OrgStatus): `State`, else the retired `Status`, else UNKNOWN. */
  readonly orgStatus: OrgStatus;
  /** Which field the state came from; "none" (with orgStatus UNKNOWN) when the response had neither. */
  readonly stateSource: StateSource;
  /** The value as Organizations sent it, when it is not one the documentation lists. */
  readonly rawState?: string;
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
    const state = accountStateOf(a);
    out.push({
      accountId: a.Id!,
      name: a.Name ?? "",
      email: a.Email ?? "",
      orgStatus: state.state,
      stateSource: state.source,
      ...(state.raw === undefined ? {} : { rawState: state.raw }),
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
  /** Accounts in state SUSPENDED. */
  readonly suspended: string[];
  /** Accounts being closed or closed: PENDING_CLOSURE or CLOSED. Kept, with their history. */
  readonly closing: string[];
  /** Accounts whose sign-up is not complete yet (PENDING_ACTIVATION): not active, not suspended. */
  readonly pendingActivation: string[];
  /**
   * Accounts stored with orgStatus UNKNOWN: Organizations sent neither `State` nor `Status`, or a
   * value neither documents (with what it sent). The handler logs them as a warning.
   */
  readonly unknownState: {
    readonly accountId: string;
    readonly source: StateSource;
    readonly raw?: string;
  }[];
}

export interface SyncDeps {
  readonly ddb: DynamoDBDocumentClient;
  readonly accountsTable: string;
  readonly now?: () => Date;
}

/**
 * Upserts the organization's accounts. A new account is stored with allocationStatus
 * "unallocated" and firstSeen, so it can be mapped to a budget before it shows up in CUR; an
 * existing one keeps its allocation and first-seen date. orgStatus is the account's Organizations
 * state as read (UNKNOWN when it could not be read): suspended, closing and closed accounts are
 * stored like any other, with their allocation and history. Accounts the organization no longer
 * lists are marked orgStatus REMOVED (with removedAt); nothing is ever deleted.
 */
export async function syncAccounts(deps: SyncDeps, accounts: readonly OrgAccount[]): Promise<SyncResult> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const added: string[] = [];
  const suspended: string[] = [];
  const closing: string[] = [];
  const pendingActivation: string[] = [];
  const unknownState: SyncResult["unknownState"][number][] = [];
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
    const group = stateGroupOf(a.orgStatus);
    if (group === "suspended") suspended.push(a.accountId);
    else if (group === "closing") closing.push(a.accountId);
    else if (group === "pendingActivation") pendingActivation.push(a.accountId);
    else if (group === "unknown")
      unknownState.push({
        accountId: a.accountId,
        source: a.stateSource,
        ...(a.rawState === undefined ? {} : { raw: a.rawState }),
      });
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
    closing,
    pendingActivation,
    unknownState,
  };
}
