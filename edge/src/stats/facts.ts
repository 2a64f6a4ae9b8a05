import {
  agents,
  type CallResult,
  type CallStatus,
  type CampaignStatus,
  callResult,
  callStatus,
  calls,
  campaigns,
} from "@switchboard/schema";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { type CampaignRef, describeRef, matchesRef } from "../campaigns/service.js";
import type { Database } from "../db/client.js";
import { NotFoundError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";

/** The campaign fields every statistic shows. */
export type CampaignInfo = {
  id: string;
  number: number;
  name: string;
  status: CampaignStatus;
  /** The agent's slug: MiniBotPanel's `scenario`. */
  agentSlug: string;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
};

/** Raw counts over one campaign's calls, as Postgres aggregated them. Everything else is derived from these. */
export type CampaignFacts = {
  campaign: CampaignInfo;
  total: number;
  statuses: Record<CallStatus, number>;
  results: Record<CallResult, number>;
  sentiment: { positive: number; neutral: number; negative: number };
  amd: { human: number; machine: number };
  /** Calls with a duration above 0, and the sum of those durations. */
  durations: { count: number; totalSeconds: number };
};

/**
 * The campaign's calls grouped by what the statistics count (a few dozen rows at most), so the outer aggregate
 * never sorts the calls themselves. Lateral: it reads the campaign of the outer row. Every column it reads is in
 * calls_org_campaign_stats_idx, so Postgres answers from the index alone (index-only scan, no heap reads).
 */
function callGroups(db: Database, orgId: string) {
  const timed = sql`${calls.durationMs} > 0`;
  return db
    .select({
      status: calls.status,
      result: calls.result,
      sentiment: calls.sentiment,
      amdResult: calls.amdResult,
      calls: sql<number>`count(*)`.as("calls"),
      timedCalls: sql<number>`count(*) filter (where ${timed})`.as("timed_calls"),
      timedMs: sql<number>`sum(${calls.durationMs}) filter (where ${timed})`.as("timed_ms"),
    })
    .from(calls)
    .where(and(eq(calls.orgId, orgId), eq(calls.campaignId, campaigns.id)))
    .groupBy(calls.status, calls.result, calls.sentiment, calls.amdResult)
    .as("call_groups");
}

type CallGroups = ReturnType<typeof callGroups>;

/** Every figure as a sum over the groups; a campaign without calls has one all-null group row and sums to 0. */
function aggregatesOf(groups: CallGroups) {
  const sumWhere = (condition: SQL | undefined) =>
    sql<number>`coalesce(sum(${groups.calls}) filter (where ${condition}), 0)::int`.mapWith(Number);
  const countsOf = <K extends string>(values: readonly K[], condition: (value: K) => SQL) =>
    Object.fromEntries(values.map((value) => [value, sumWhere(condition(value))])) as Record<K, SQL<number>>;
  return {
    total: sql<number>`coalesce(sum(${groups.calls}), 0)::int`.mapWith(Number),
    statuses: countsOf(callStatus.enumValues, (status) => eq(groups.status, status)),
    results: countsOf(callResult.enumValues, (result) => eq(groups.result, result)),
    sentiment: countsOf(["positive", "neutral", "negative"] as const, (value) => eq(groups.sentiment, value)),
    amd: countsOf(["human", "machine"] as const, (value) => eq(groups.amdResult, value)),
    durations: {
      count: sql<number>`coalesce(sum(${groups.timedCalls}), 0)::int`.mapWith(Number),
      totalSeconds: sql<number>`coalesce(sum(${groups.timedMs}), 0)::float8 / 1000`.mapWith(Number),
    },
  };
}

/**
 * The campaign and all its call aggregates in one statement (one round trip), scoped to the organisation:
 * another organisation's campaign is NotFoundError, exactly as findCampaign answers.
 */
export async function loadCampaignFacts(db: Database, orgId: string, ref: CampaignRef): Promise<CampaignFacts> {
  if ("id" in ref && !isUuid(ref.id)) throw new NotFoundError(describeRef(ref));
  const groups = callGroups(db, orgId);
  const [row] = await db
    .select({
      campaign: {
        id: campaigns.id,
        number: campaigns.number,
        name: campaigns.name,
        status: campaigns.status,
        agentSlug: agents.slug,
        createdAt: campaigns.createdAt,
        startedAt: campaigns.startedAt,
        completedAt: campaigns.completedAt,
      },
      ...aggregatesOf(groups),
    })
    .from(campaigns)
    .innerJoin(agents, eq(agents.id, campaigns.agentId))
    .leftJoinLateral(groups, sql`true`)
    .where(and(eq(campaigns.orgId, orgId), matchesRef(ref)))
    .groupBy(campaigns.id, agents.id);
  if (!row) throw new NotFoundError(describeRef(ref));
  return row;
}
