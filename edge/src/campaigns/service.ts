import { agents, type CampaignStatus, calls, campaigns } from "@switchboard/schema";
import { and, count, desc, eq, getTableColumns, inArray, type SQL, sql } from "drizzle-orm";
import { ACTIVE_STATUSES, WAITING_STATUSES } from "../calls/status-groups.js";
import type { Database } from "../db/client.js";
import { NotFoundError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { type KeysetPage, keyset } from "../shared/keyset.js";

export type CampaignRow = typeof campaigns.$inferSelect;
/** A campaign with its agent's slug, which MiniBotPanel calls the scenario. */
export type CampaignView = CampaignRow & { scenario: string };

/** A campaign as each surface names it: MiniBotPanel by integer number, GraphQL by uuid. */
export type CampaignRef = { number: number } | { id: string };

export function describeRef(ref: CampaignRef): string {
  return "number" in ref ? `Campaign ${ref.number}` : `Campaign ${ref.id}`;
}

export function matchesRef(ref: CampaignRef): SQL {
  return "number" in ref ? eq(campaigns.number, ref.number) : eq(campaigns.id, ref.id);
}

/** The caller's campaign, or NotFoundError: another organisation's campaign does not exist for them. */
export async function findCampaign(db: Database, orgId: string, ref: CampaignRef): Promise<CampaignView> {
  if ("id" in ref && !isUuid(ref.id)) throw new NotFoundError(describeRef(ref));
  const [row] = await selectViews(db).where(and(eq(campaigns.orgId, orgId), matchesRef(ref)));
  if (!row) throw new NotFoundError(describeRef(ref));
  return row;
}

function selectViews(db: Database) {
  return db
    .select({ ...getTableColumns(campaigns), scenario: agents.slug })
    .from(campaigns)
    .innerJoin(agents, eq(agents.id, campaigns.agentId));
}

/** Newest first, offset-paged, with the total for the same filter (MiniBotPanel's list). */
export async function listCampaignPage(
  db: Database,
  orgId: string,
  filter: { status?: CampaignStatus | undefined; agentId?: string | undefined },
  page: { limit: number; offset: number },
): Promise<{ total: number; rows: CampaignView[] }> {
  const where = and(
    eq(campaigns.orgId, orgId),
    filter.status ? eq(campaigns.status, filter.status) : undefined,
    // An agent id that is no uuid matches nothing, rather than failing the query.
    filter.agentId !== undefined
      ? isUuid(filter.agentId)
        ? eq(campaigns.agentId, filter.agentId)
        : sql`false`
      : undefined,
  );
  const [totals] = await db.select({ total: count() }).from(campaigns).where(where);
  const rows = await selectViews(db).where(where).orderBy(desc(campaigns.number)).limit(page.limit).offset(page.offset);
  return { total: totals?.total ?? 0, rows };
}

/** Newest first, keyset-paged (GraphQL connections). */
export function listCampaigns(
  db: Database,
  orgId: string,
  filter: { status?: CampaignStatus },
  page: KeysetPage<number>,
): Promise<CampaignRow[]> {
  const { conditions, orderBy, limit } = keyset(campaigns.number, page, "desc");
  const byStatus = filter.status ? [eq(campaigns.status, filter.status)] : [];
  return db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.orgId, orgId), ...byStatus, ...conditions))
    .orderBy(orderBy)
    .limit(limit);
}

export async function campaignsByIds(db: Database, orgId: string, ids: readonly string[]): Promise<CampaignRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.orgId, orgId), inArray(campaigns.id, valid)));
}

/** The call counts shown beside a campaign in lists and details. */
export type CallSummary = {
  total: number;
  pending: number;
  inProgress: number;
  completed: number;
  cancelled: number;
  leads: number;
  notInterested: number;
  callbacks: number;
};

export function emptySummary(): CallSummary {
  return { total: 0, pending: 0, inProgress: 0, completed: 0, cancelled: 0, leads: 0, notInterested: 0, callbacks: 0 };
}

const countWhere = (condition: SQL) => sql<number>`(count(*) filter (where ${condition}))::int`;

/** One aggregate over the calls of several campaigns; campaigns without calls get zeros. */
export async function campaignCallSummaries(
  db: Database,
  orgId: string,
  campaignIds: readonly string[],
): Promise<Map<string, CallSummary>> {
  const summaries = new Map(campaignIds.map((id) => [id, emptySummary()]));
  if (campaignIds.length === 0) return summaries;
  const rows = await db
    .select({
      campaignId: calls.campaignId,
      total: sql<number>`count(*)::int`,
      pending: countWhere(inArray(calls.status, [...WAITING_STATUSES])),
      inProgress: countWhere(inArray(calls.status, [...ACTIVE_STATUSES])),
      completed: countWhere(eq(calls.status, "completed")),
      cancelled: countWhere(eq(calls.status, "cancelled")),
      leads: countWhere(eq(calls.result, "lead")),
      notInterested: countWhere(eq(calls.result, "not_interested")),
      callbacks: countWhere(eq(calls.result, "callback")),
    })
    .from(calls)
    .where(and(eq(calls.orgId, orgId), inArray(calls.campaignId, [...campaignIds])))
    .groupBy(calls.campaignId);
  for (const { campaignId, ...summary } of rows) if (campaignId) summaries.set(campaignId, summary);
  return summaries;
}

export async function campaignCallSummary(db: Database, orgId: string, campaignId: string): Promise<CallSummary> {
  return (await campaignCallSummaries(db, orgId, [campaignId])).get(campaignId) ?? emptySummary();
}
