import { calls, campaigns } from "@switchboard/schema";
import { and, eq, inArray, isNotNull, type SQL, sql } from "drizzle-orm";
import { ACTIVE_STATUSES, FAILED_STATUSES, WAITING_STATUSES } from "../calls/status-groups.js";
import { NOT_DELETED } from "../campaigns/service.js";
import type { Database } from "../db/client.js";

/** SpeechAI's dashboard figures over an organisation's batches (one account's, when given): two aggregates. */
export type BatchDashboard = {
  batches: { total: number; active: number; paused: number; completed: number; cancelled: number };
  jobs: { total: number; pending: number; inProgress: number; completed: number; failed: number };
  /** Credits charged, minutes talked, and how many calls were charged. */
  costs: { spent: number; minutes: number; chargedCalls: number };
};

const countWhere = (condition: SQL) => sql<number>`(count(*) filter (where ${condition}))::int`;

export async function batchDashboard(
  db: Database,
  orgId: string,
  filter: { accountId?: string | undefined },
): Promise<BatchDashboard> {
  const ofAccount = filter.accountId ? eq(campaigns.accountId, filter.accountId) : undefined;
  const batchWhere = and(eq(campaigns.orgId, orgId), isNotNull(campaigns.batchCode), ofAccount);
  const [batches] = await db
    .select({
      total: sql<number>`count(*)::int`,
      active: countWhere(inArray(campaigns.status, ["pending", "running"])),
      paused: countWhere(eq(campaigns.status, "paused")),
      completed: countWhere(eq(campaigns.status, "completed")),
      cancelled: countWhere(eq(campaigns.status, "cancelled")),
    })
    .from(campaigns)
    .where(and(batchWhere, NOT_DELETED));
  const [jobs] = await db
    .select({
      total: sql<number>`count(*)::int`,
      pending: countWhere(inArray(calls.status, [...WAITING_STATUSES])),
      inProgress: countWhere(inArray(calls.status, [...ACTIVE_STATUSES])),
      completed: countWhere(eq(calls.status, "completed")),
      failed: countWhere(inArray(calls.status, [...FAILED_STATUSES])),
      spent: sql<number>`coalesce(sum(${calls.cost}), 0)::float8`,
      durationMs: sql<number>`coalesce(sum(${calls.durationMs}), 0)::float8`,
      chargedCalls: countWhere(sql`${calls.cost} > 0`),
    })
    .from(calls)
    .innerJoin(campaigns, eq(campaigns.id, calls.campaignId))
    .where(and(eq(calls.orgId, orgId), batchWhere));
  const { spent = 0, durationMs = 0, chargedCalls = 0, ...jobCounts } = jobs ?? {};
  return {
    batches: batches ?? { total: 0, active: 0, paused: 0, completed: 0, cancelled: 0 },
    jobs: { total: 0, pending: 0, inProgress: 0, completed: 0, failed: 0, ...jobCounts },
    costs: { spent, minutes: durationMs / 60_000, chargedCalls },
  };
}
