import { agents, type CampaignStatus, calls, campaigns } from "@switchboard/schema";
import { and, count, desc, eq, getTableColumns, inArray, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import { ACTIVE_STATUSES, FAILED_STATUSES, WAITING_STATUSES } from "../calls/status-groups.js";
import type { Database } from "../db/client.js";
import { NotFoundError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { type KeysetPage, keyset } from "../shared/keyset.js";

export type CampaignRow = typeof campaigns.$inferSelect;
/** A campaign with its agent's slug, which MiniBotPanel calls the scenario. */
export type CampaignView = CampaignRow & { scenario: string };

/**
 * A campaign as each surface names it: MiniBotPanel by integer number, GraphQL and VoiceERA by uuid, SpeechAI by
 * batch code (`batch-…`) or 24-hex object id.
 */
export type CampaignRef = { number: number } | { id: string } | { batchCode: string } | { objectId: string };

export function describeRef(ref: CampaignRef): string {
  if ("number" in ref) return `Campaign ${ref.number}`;
  if ("batchCode" in ref) return `Batch ${ref.batchCode}`;
  if ("objectId" in ref) return `Batch ${ref.objectId}`;
  return `Campaign ${ref.id}`;
}

/** The campaign a reference names, unless it was deleted: every lookup by reference goes through here. */
export function matchesRef(ref: CampaignRef): SQL | undefined {
  return and(refCondition(ref), NOT_DELETED);
}

function refCondition(ref: CampaignRef): SQL {
  if ("number" in ref) return eq(campaigns.number, ref.number);
  if ("batchCode" in ref) return eq(campaigns.batchCode, ref.batchCode);
  if ("objectId" in ref) return eq(campaigns.objectId, ref.objectId);
  return eq(campaigns.id, ref.id);
}

/** Campaigns deleted with their calls kept (SpeechAI) stay only as the calls' history: no list shows them. */
export const NOT_DELETED = isNull(campaigns.deletedAt);

/** SpeechAI accepts either form of a batch id: the 24-hex object id, else the batch code. */
export function batchRef(batchId: string): CampaignRef {
  return /^[0-9a-f]{24}$/.test(batchId) ? { objectId: batchId } : { batchCode: batchId };
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
  filter: {
    status?: CampaignStatus | undefined;
    agentId?: string | undefined;
    /** The billing account's uuid. */
    accountId?: string | undefined;
    /** Only SpeechAI batches (campaigns with a batch code). */
    batchesOnly?: boolean;
  },
  page: { limit: number; offset: number },
): Promise<{ total: number; rows: CampaignView[] }> {
  const where = and(
    eq(campaigns.orgId, orgId),
    NOT_DELETED,
    filter.status ? eq(campaigns.status, filter.status) : undefined,
    filter.accountId ? eq(campaigns.accountId, filter.accountId) : undefined,
    filter.batchesOnly ? isNotNull(campaigns.batchCode) : undefined,
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
    .where(and(eq(campaigns.orgId, orgId), NOT_DELETED, ...byStatus, ...conditions))
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
  /** Ended without a conversation after the last retry: failed, busy or unanswered. */
  failed: number;
  /** Held until the account has credit again. */
  suspended: number;
  leads: number;
  notInterested: number;
  callbacks: number;
  /** Credits charged and minutes talked over the campaign's calls. */
  cost: number;
  durationMs: number;
};

export function emptySummary(): CallSummary {
  return {
    total: 0,
    pending: 0,
    inProgress: 0,
    completed: 0,
    cancelled: 0,
    failed: 0,
    suspended: 0,
    leads: 0,
    notInterested: 0,
    callbacks: 0,
    cost: 0,
    durationMs: 0,
  };
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
      failed: countWhere(inArray(calls.status, [...FAILED_STATUSES])),
      suspended: countWhere(eq(calls.status, "suspended")),
      leads: countWhere(eq(calls.result, "lead")),
      notInterested: countWhere(eq(calls.result, "not_interested")),
      callbacks: countWhere(eq(calls.result, "callback")),
      cost: sql<number>`coalesce(sum(${calls.cost}), 0)::float8`,
      durationMs: sql<number>`coalesce(sum(${calls.durationMs}), 0)::float8`,
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
