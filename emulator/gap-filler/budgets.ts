import {
  type GapContext,
  type GapHandler,
  type GapRequest,
  type GapResponse,
  jsonError,
  jsonOk,
} from "./server";

/**
 * Emulated AWS Budgets (moto stores a budget but the provider cannot read it back). Implements what
 * the AWS provider's aws_budgets_budget calls: CreateBudget, DescribeBudget(s), UpdateBudget,
 * DeleteBudget, notifications and subscribers, and tagging. In memory, per account (the caller's
 * account must be the AccountId it names, as in AWS); lost when the gap-filler restarts.
 * Budgets never evaluate spend here and never send an email.
 */
const TARGET_PREFIX = "AWSBudgetServiceGateway.";

interface Notification {
  NotificationType: string;
  ComparisonOperator: string;
  Threshold: number;
  ThresholdType?: string;
  NotificationState?: string;
}
interface Subscriber {
  SubscriptionType: string;
  Address: string;
}
interface StoredBudget {
  budget: Record<string, unknown>;
  notifications: { notification: Notification; subscribers: Subscriber[] }[];
  tags: Map<string, string>;
}

/** What AWS fills in when a budget leaves cost types out. */
const DEFAULT_COST_TYPES = {
  IncludeTax: true,
  IncludeSubscription: true,
  UseBlended: false,
  IncludeRefund: true,
  IncludeCredit: true,
  IncludeUpfront: true,
  IncludeRecurring: true,
  IncludeOtherSubscription: true,
  IncludeSupport: true,
  IncludeDiscount: true,
  UseAmortized: false,
};

function sameNotification(a: Notification, b: Notification): boolean {
  return (
    a.NotificationType === b.NotificationType &&
    a.ComparisonOperator === b.ComparisonOperator &&
    Number(a.Threshold) === Number(b.Threshold) &&
    (a.ThresholdType ?? "PERCENTAGE") === (b.ThresholdType ?? "PERCENTAGE")
  );
}

function firstOfMonthUtcSeconds(now: Date): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) / 1000;
}

/** AWS's default end of a budget's time period. */
const DEFAULT_END_SECONDS = Date.UTC(2087, 5, 15) / 1000;

export function createBudgetsHandler(now: () => Date = () => new Date()): GapHandler {
  const store = new Map<string, StoredBudget>(); // key: account/name
  const key = (account: string, name: string) => `${account}/${name}`;

  const normalise = (budget: Record<string, unknown>, previous?: Record<string, unknown>) => {
    const timePeriod = (budget.TimePeriod as Record<string, unknown> | undefined) ?? {};
    return {
      ...budget,
      CostTypes: { ...DEFAULT_COST_TYPES, ...((budget.CostTypes as object | undefined) ?? {}) },
      CostFilters: budget.CostFilters ?? {},
      TimePeriod: {
        Start:
          timePeriod.Start ??
          (previous?.TimePeriod as Record<string, unknown> | undefined)?.Start ??
          firstOfMonthUtcSeconds(now()),
        End: timePeriod.End ?? DEFAULT_END_SECONDS,
      },
      CalculatedSpend: {
        ActualSpend: { Amount: "0", Unit: "USD" },
        ForecastedSpend: { Amount: "0", Unit: "USD" },
      },
      LastUpdatedTime: now().getTime() / 1000,
    };
  };

  const ops: Record<
    string,
    (body: Record<string, unknown>, account: string) => GapResponse | Promise<GapResponse>
  > = {
    CreateBudget(body, account) {
      const budget = body.Budget as Record<string, unknown>;
      const name = String(budget?.BudgetName ?? "");
      if (!name) return jsonError(400, "InvalidParameterException", "Budget.BudgetName is required");
      if (store.has(key(account, name)))
        return jsonError(400, "DuplicateRecordException", `the budget ${name} already exists`);
      const withSubs =
        (body.NotificationsWithSubscribers as
          | { Notification: Notification; Subscribers: Subscriber[] }[]
          | undefined) ?? [];
      store.set(key(account, name), {
        budget: normalise(budget),
        notifications: withSubs.map((n) => ({
          notification: { ThresholdType: "PERCENTAGE", NotificationState: "OK", ...n.Notification },
          subscribers: n.Subscribers ?? [],
        })),
        tags: new Map(
          ((body.ResourceTags as { Key: string; Value: string }[]) ?? []).map((t) => [t.Key, t.Value]),
        ),
      });
      return jsonOk({});
    },
    DescribeBudget(body, account) {
      const b = store.get(key(account, String(body.BudgetName)));
      if (!b) return notFound(String(body.BudgetName));
      return jsonOk({ Budget: b.budget });
    },
    DescribeBudgets(_body, account) {
      const budgets = [...store.entries()]
        .filter(([k]) => k.startsWith(`${account}/`))
        .map(([, v]) => v.budget);
      return jsonOk({ Budgets: budgets });
    },
    UpdateBudget(body, account) {
      const budget = body.NewBudget as Record<string, unknown>;
      const b = store.get(key(account, String(budget?.BudgetName)));
      if (!b) return notFound(String(budget?.BudgetName));
      b.budget = normalise(budget, b.budget);
      return jsonOk({});
    },
    DeleteBudget(body, account) {
      if (!store.delete(key(account, String(body.BudgetName)))) return notFound(String(body.BudgetName));
      return jsonOk({});
    },
    DescribeNotificationsForBudget(body, account) {
      const b = store.get(key(account, String(body.BudgetName)));
      if (!b) return notFound(String(body.BudgetName));
      return jsonOk({ Notifications: b.notifications.map((n) => n.notification) });
    },
    DescribeSubscribersForNotification(body, account) {
      const b = store.get(key(account, String(body.BudgetName)));
      if (!b) return notFound(String(body.BudgetName));
      const n = b.notifications.find((x) =>
        sameNotification(x.notification, body.Notification as Notification),
      );
      if (!n) return jsonError(404, "NotFoundException", "no such notification for this budget");
      return jsonOk({ Subscribers: n.subscribers });
    },
    CreateNotification(body, account) {
      const b = store.get(key(account, String(body.BudgetName)));
      if (!b) return notFound(String(body.BudgetName));
      const notification = body.Notification as Notification;
      if (b.notifications.some((x) => sameNotification(x.notification, notification)))
        return jsonError(400, "DuplicateRecordException", "the notification already exists");
      b.notifications.push({
        notification: { ThresholdType: "PERCENTAGE", NotificationState: "OK", ...notification },
        subscribers: (body.Subscribers as Subscriber[]) ?? [],
      });
      return jsonOk({});
    },
    UpdateNotification(body, account) {
      const b = store.get(key(account, String(body.BudgetName)));
      if (!b) return notFound(String(body.BudgetName));
      const n = b.notifications.find((x) =>
        sameNotification(x.notification, body.OldNotification as Notification),
      );
      if (!n) return jsonError(404, "NotFoundException", "no such notification for this budget");
      n.notification = {
        ThresholdType: "PERCENTAGE",
        NotificationState: "OK",
        ...(body.NewNotification as Notification),
      };
      return jsonOk({});
    },
    DeleteNotification(body, account) {
      const b = store.get(key(account, String(body.BudgetName)));
      if (!b) return notFound(String(body.BudgetName));
      const before = b.notifications.length;
      b.notifications = b.notifications.filter(
        (x) => !sameNotification(x.notification, body.Notification as Notification),
      );
      if (b.notifications.length === before)
        return jsonError(404, "NotFoundException", "no such notification for this budget");
      return jsonOk({});
    },
    CreateSubscriber(body, account) {
      return withNotification(body, account, (n) => {
        n.subscribers.push(body.Subscriber as Subscriber);
      });
    },
    DeleteSubscriber(body, account) {
      return withNotification(body, account, (n) => {
        const s = body.Subscriber as Subscriber;
        n.subscribers = n.subscribers.filter(
          (x) => x.Address !== s.Address || x.SubscriptionType !== s.SubscriptionType,
        );
      });
    },
    UpdateSubscriber(body, account) {
      return withNotification(body, account, (n) => {
        const old = body.OldSubscriber as Subscriber;
        n.subscribers = n.subscribers.map((x) =>
          x.Address === old.Address && x.SubscriptionType === old.SubscriptionType
            ? (body.NewSubscriber as Subscriber)
            : x,
        );
      });
    },
    ListTagsForResource(body, account) {
      const b = byArn(String(body.ResourceARN), account);
      if (!b) return jsonError(404, "NotFoundException", `no budget ${body.ResourceARN}`);
      return jsonOk({ ResourceTags: [...b.tags].map(([Key, Value]) => ({ Key, Value })) });
    },
    TagResource(body, account) {
      const b = byArn(String(body.ResourceARN), account);
      if (!b) return jsonError(404, "NotFoundException", `no budget ${body.ResourceARN}`);
      for (const t of (body.ResourceTags as { Key: string; Value: string }[]) ?? [])
        b.tags.set(t.Key, t.Value);
      return jsonOk({});
    },
    UntagResource(body, account) {
      const b = byArn(String(body.ResourceARN), account);
      if (!b) return jsonError(404, "NotFoundException", `no budget ${body.ResourceARN}`);
      for (const k of (body.ResourceTagKeys as string[]) ?? []) b.tags.delete(k);
      return jsonOk({});
    },
  };

  function notFound(name: string): GapResponse {
    return jsonError(404, "NotFoundException", `Unable to get budget: ${name} - the budget doesn't exist.`);
  }
  function byArn(arn: string, account: string): StoredBudget | undefined {
    const m = /^arn:aws[\w-]*:budgets::(\d{12}):budget\/(.+)$/.exec(arn);
    if (!m || m[1] !== account) return undefined;
    return store.get(key(account, m[2]!));
  }
  function withNotification(
    body: Record<string, unknown>,
    account: string,
    change: (n: StoredBudget["notifications"][number]) => void,
  ): GapResponse {
    const b = store.get(key(account, String(body.BudgetName)));
    if (!b) return notFound(String(body.BudgetName));
    const n = b.notifications.find((x) =>
      sameNotification(x.notification, body.Notification as Notification),
    );
    if (!n) return jsonError(404, "NotFoundException", "no such notification for this budget");
    change(n);
    return jsonOk({});
  }

  return {
    name: "budgets (emulated AWS Budgets)",
    matches: (req: GapRequest) => req.target?.startsWith(TARGET_PREFIX) ?? false,
    async handle(req: GapRequest, ctx: GapContext): Promise<GapResponse> {
      const op = req.target!.slice(TARGET_PREFIX.length);
      const impl = ops[op];
      if (!impl)
        return jsonError(400, "UnknownOperationException", `the local Budgets emulation has no ${op}`);
      const body = JSON.parse(req.body.toString("utf8") || "{}") as Record<string, unknown>;
      const caller = await ctx.accountOf(req);
      const account = body.AccountId === undefined ? caller : String(body.AccountId);
      if (account !== caller)
        return jsonError(
          403,
          "AccessDeniedException",
          `account ${caller} cannot act on the budgets of account ${account}`,
        );
      return impl(body, account);
    },
  };
}
