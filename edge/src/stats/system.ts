import { calls, campaigns, contacts } from "@switchboard/schema";
import { sql } from "drizzle-orm";
import { ACTIVE_STATUSES } from "../calls/status-groups.js";
import type { Database } from "../db/client.js";
import { type Ratio, ratioValue } from "./derive.js";
import { dialledAt, wasDialled } from "./dialled.js";

/** The platform-wide ceiling on simultaneous calls MiniBotPanel reports (its MAX_CONCURRENT_CALLS, 50). */
export const SYSTEM_MAX_CONCURRENT_CALLS = 50;

export type SystemStats = {
  campaigns: { total: number; active: number; completed: number };
  calls: {
    total: number;
    /** Placed since 00:00 UTC today. */
    today: number;
    /** Calling, ringing or in progress. */
    activeNow: number;
    averageDurationSeconds: number | null;
  };
  contacts: { total: number };
  performance: { totalLeads: number; conversionRate: Ratio };
  limits: { maxConcurrentCalls: number; usage: Ratio };
};

type Row = {
  campaigns_total: number;
  campaigns_active: number;
  campaigns_completed: number;
  calls_total: number;
  calls_today: number;
  calls_active: number;
  calls_completed: number;
  leads: number;
  timed_calls: number;
  timed_seconds: number;
  contacts_total: number;
};

const activeList = sql.join(
  ACTIVE_STATUSES.map((status) => sql`${status}`),
  sql`, `,
);

/** The organisation's totals in one statement: three aggregates, each over one table filtered by org_id. */
export async function systemStats(db: Database, orgId: string): Promise<SystemStats> {
  const { rows } = await db.execute<Row>(sql`
    with campaign_counts as (
      select count(*)::int as campaigns_total,
             count(*) filter (where ${campaigns.status} = 'running')::int as campaigns_active,
             count(*) filter (where ${campaigns.status} = 'completed')::int as campaigns_completed
      from ${campaigns} where ${campaigns.orgId} = ${orgId} and ${campaigns.deletedAt} is null
    ), call_counts as (
      select count(*)::int as calls_total,
             count(*) filter (where ${wasDialled}
               and ${dialledAt} >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC')::int as calls_today,
             count(*) filter (where ${calls.status} in (${activeList}))::int as calls_active,
             count(*) filter (where ${calls.status} = 'completed')::int as calls_completed,
             count(*) filter (where ${calls.result} = 'lead')::int as leads,
             count(*) filter (where ${calls.durationMs} > 0)::int as timed_calls,
             coalesce(sum(${calls.durationMs}) filter (where ${calls.durationMs} > 0), 0)::float8 / 1000 as timed_seconds
      from ${calls} where ${calls.orgId} = ${orgId}
    ), contact_counts as (
      select count(*)::int as contacts_total from ${contacts} where ${contacts.orgId} = ${orgId}
    )
    select * from campaign_counts, call_counts, contact_counts`);
  const row = rows[0];
  if (!row) throw new Error("system statistics returned no row");
  return toSystemStats(row);
}

function toSystemStats(row: Row): SystemStats {
  return {
    campaigns: { total: row.campaigns_total, active: row.campaigns_active, completed: row.campaigns_completed },
    calls: {
      total: row.calls_total,
      today: row.calls_today,
      activeNow: row.calls_active,
      averageDurationSeconds: ratioValue({ part: row.timed_seconds, whole: row.timed_calls }),
    },
    contacts: { total: row.contacts_total },
    performance: { totalLeads: row.leads, conversionRate: { part: row.leads, whole: row.calls_completed } },
    limits: {
      maxConcurrentCalls: SYSTEM_MAX_CONCURRENT_CALLS,
      usage: { part: row.calls_active, whole: SYSTEM_MAX_CONCURRENT_CALLS },
    },
  };
}
