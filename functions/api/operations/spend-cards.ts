/** Spend cards: list them in scope, approve and comment them. */
import type { z } from "zod";
import { type Actor, actor, type Caller, conflict, forbidden, notFound, type SpendCard } from "../domain";
import { type ApiDeps, ConflictError } from "../repository";
import type { approveCardBody, commentCardBody, listCardsQuery } from "../schemas";
import { ok, type Result, visible, visibleBudgetIds } from "./common";

export async function listCards(
  deps: ApiDeps,
  caller: Caller,
  query: z.output<typeof listCardsQuery>,
): Promise<Result> {
  const scope = await visibleBudgetIds(deps, caller);
  if (query.budgetId && !visible(scope, query.budgetId))
    throw forbidden(`budget ${query.budgetId} is not one you own or manage`);
  const budgetIds = query.budgetId ? [query.budgetId] : scope === "all" ? undefined : [...scope];
  if (budgetIds && budgetIds.length === 0) return ok({ cards: [] });
  const cards = await deps.repo.listCards({
    ...(budgetIds ? { budgetIds } : {}),
    ...(query.period ? { periodId: query.period } : {}),
  });
  return ok({
    cards: cards.sort((a, b) => b.periodId.localeCompare(a.periodId) || a.budgetId.localeCompare(b.budgetId)),
  });
}

async function cardForReview(
  deps: ApiDeps,
  caller: Caller,
  budgetId: string,
  periodId: string,
): Promise<SpendCard> {
  const scope = await visibleBudgetIds(deps, caller);
  if (!visible(scope, budgetId)) throw forbidden(`budget ${budgetId} is not one you own or manage`);
  const card = await deps.repo.getCard(budgetId, periodId);
  if (!card) throw notFound(`no spend card for budget ${budgetId} and period ${periodId}`);
  return card;
}

const shownActor = (a: Actor): string => a.byEmail ?? a.by;

export async function approveCard(
  deps: ApiDeps,
  caller: Caller,
  budgetId: string,
  periodId: string,
  body: z.output<typeof approveCardBody>,
): Promise<Result> {
  const card = await cardForReview(deps, caller, budgetId, periodId);
  if (card.approval)
    throw conflict(
      `card ${budgetId} ${periodId} was approved by ${shownActor(card.approval)} at ${card.approval.at}`,
    );
  const approval = {
    ...actor(caller),
    at: deps.now().toISOString(),
    ...(body.note ? { note: body.note } : {}),
  };
  try {
    await deps.repo.setCardApproval(budgetId, periodId, approval);
  } catch (e) {
    if (e instanceof ConflictError) throw conflict(`card ${budgetId} ${periodId} was approved meanwhile`);
    throw e;
  }
  return ok({ card: { ...card, approval } });
}

export async function commentCard(
  deps: ApiDeps,
  caller: Caller,
  budgetId: string,
  periodId: string,
  body: z.output<typeof commentCardBody>,
): Promise<Result> {
  const card = await cardForReview(deps, caller, budgetId, periodId);
  const comment = { ...actor(caller), at: deps.now().toISOString(), text: body.text };
  await deps.repo.addCardComment(budgetId, periodId, comment);
  return { status: 201, body: { card: { ...card, comments: [...(card.comments ?? []), comment] } } };
}
