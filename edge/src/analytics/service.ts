import { agents, calls, callTurns } from "@switchboard/schema";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { type CallLogFilter, callLogConditions } from "../calls/call-logs.js";
import type { Database } from "../db/client.js";
import { periodBound } from "../shared/dates.js";
import { ValidationError } from "../shared/errors.js";
import { type PhraseCount, topPhrases } from "./phrases.js";

/** Which calls an analytics figure covers: an agent, a campaign, and a period. */
export type AnalyticsScope = Pick<CallLogFilter, "agentId" | "campaignId" | "from" | "to">;

/**
 * The period of a query: `startDate`/`endDate` (a date alone covers its whole day, UTC) when given, else the
 * last `days` days up to now, else the last `defaultDays`.
 */
export function analyticsPeriod(
  query: { days?: number | undefined; startDate?: string | undefined; endDate?: string | undefined },
  defaultDays: number,
  now = new Date(),
): { from?: Date; to?: Date } {
  if (query.startDate === undefined && query.endDate === undefined) {
    const days = query.days ?? defaultDays;
    return { from: new Date(now.getTime() - days * 24 * 60 * 60 * 1000) };
  }
  const from = query.startDate === undefined ? undefined : bound(query.startDate, "start", "start_date");
  const to = query.endDate === undefined ? undefined : bound(query.endDate, "end", "end_date");
  if (from && to && to < from) {
    throw new ValidationError("Invalid period", [{ path: ["end_date"], message: "end_date is before start_date" }]);
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function bound(value: string, side: "start" | "end", name: string): Date {
  const date = periodBound(value, side);
  if (!date) {
    throw new ValidationError("Invalid period", [{ path: [name], message: "Expected YYYY-MM-DD or an ISO date-time" }]);
  }
  return date;
}

export type CallStatistics = {
  totalCalls: number;
  completedCalls: number;
  failedCalls: number;
  /** Seconds, over connected calls (see below); 0 when there are none. */
  averageDurationSeconds: number;
  /** completed / total, in percent. */
  successRate: number;
  /** Average cost of the calls that were charged. */
  costPerCall: number;
};

/** Calls that never connected: failed, busy or unanswered. */
const FAILED = sql`${calls.status} in ('failed', 'busy', 'no_answer')`;
/** A connected call: not busy, and either ended or with a duration above 0. */
const CONNECTED = sql`${calls.status} <> 'busy' and (${calls.endedAt} is not null or ${calls.durationMs} > 0)`;

export async function callStatistics(db: Database, orgId: string, scope: AnalyticsScope): Promise<CallStatistics> {
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      completed: sql<number>`(count(*) filter (where ${calls.status} = 'completed'))::int`,
      failed: sql<number>`(count(*) filter (where ${FAILED}))::int`,
      averageMs: sql<string | null>`avg(${calls.durationMs}) filter (where ${CONNECTED})`,
      costPerCall: sql<string | null>`avg(${calls.cost})`,
    })
    .from(calls)
    .where(callLogConditions(orgId, scope));
  const total = row?.total ?? 0;
  const completed = row?.completed ?? 0;
  return {
    totalCalls: total,
    completedCalls: completed,
    failedCalls: row?.failed ?? 0,
    averageDurationSeconds: round(Number(row?.averageMs ?? 0) / 1000, 1),
    successRate: percent(completed, total),
    costPerCall: round(Number(row?.costPerCall ?? 0), 2),
  };
}

export type SentimentBreakdown = {
  positive: number;
  neutral: number;
  negative: number;
  positivePercentage: number;
  neutralPercentage: number;
  negativePercentage: number;
};

/** How the analysed calls of the scope split by sentiment; calls without one are left out. */
export async function sentimentBreakdown(
  db: Database,
  orgId: string,
  scope: AnalyticsScope,
): Promise<SentimentBreakdown> {
  const [row] = await db
    .select({
      positive: sql<number>`(count(*) filter (where ${calls.sentiment} = 'positive'))::int`,
      neutral: sql<number>`(count(*) filter (where ${calls.sentiment} = 'neutral'))::int`,
      negative: sql<number>`(count(*) filter (where ${calls.sentiment} = 'negative'))::int`,
    })
    .from(calls)
    .where(callLogConditions(orgId, scope));
  const positive = row?.positive ?? 0;
  const neutral = row?.neutral ?? 0;
  const negative = row?.negative ?? 0;
  const total = positive + neutral + negative;
  return {
    positive,
    neutral,
    negative,
    positivePercentage: percent(positive, total),
    neutralPercentage: percent(neutral, total),
    negativePercentage: percent(negative, total),
  };
}

/** Phrases are mined from the most recent calls of the scope, at most this many, to bound the work per request. */
export const TOP_PHRASES_CALL_SAMPLE = 2_000;

/**
 * The most frequent two-word phrases the callers said (the contact's turns), stop words removed for the
 * language of each call's agent. `count` is how many calls said the phrase, `frequency` their share of the
 * calls with something said.
 */
export async function topCallPhrases(
  db: Database,
  orgId: string,
  scope: AnalyticsScope,
  limit: number,
): Promise<PhraseCount[]> {
  const sample = await db
    .select({ id: calls.id, language: agents.language })
    .from(calls)
    .leftJoin(agents, and(eq(agents.id, calls.agentId), eq(agents.orgId, calls.orgId)))
    .where(callLogConditions(orgId, scope))
    .orderBy(desc(calls.createdAt))
    .limit(TOP_PHRASES_CALL_SAMPLE);
  if (sample.length === 0) return [];
  const turns = await db
    .select({ callId: callTurns.callId, text: callTurns.text })
    .from(callTurns)
    .where(
      and(
        eq(callTurns.orgId, orgId),
        eq(callTurns.speaker, "contact"),
        inArray(
          callTurns.callId,
          sample.map((call) => call.id),
        ),
      ),
    );
  const said = new Map<string, string[]>();
  for (const turn of turns) {
    const texts = said.get(turn.callId) ?? [];
    texts.push(turn.text);
    said.set(turn.callId, texts);
  }
  const documents = sample
    .filter((call) => said.has(call.id))
    .map((call) => ({ text: (said.get(call.id) ?? []).join("\n"), language: call.language }));
  return documents.length === 0 ? [] : topPhrases(documents, limit);
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : round((part / whole) * 100, 1);
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
