import {
  type CallStatus,
  type CampaignStatus,
  callStatus,
  calls,
  campaignStatus,
  campaigns,
} from "@switchboard/schema";
import { sql } from "drizzle-orm";
import { ACTIVE_STATUSES } from "../calls/status-groups.js";
import type { Database } from "../db/client.js";
import { DATABASE_TIMEOUT_MS } from "./health.js";
import { withTimeout } from "./probes.js";
import { formatPrometheus, type MetricFamily } from "./prometheus.js";
import { uptimeMs } from "./uptime.js";

/**
 * System-wide operator figures for /metrics. Deliberately not scoped by organisation: they are counts
 * only, labelled by status, and carry no names, ids or organisation labels.
 */
export type SystemCounts = {
  campaignsByStatus: Record<CampaignStatus, number>;
  callsByStatus: Record<CallStatus, number>;
  leads: number;
  durationSecondsSum: number;
  durationCount: number;
};

export type MetricsSnapshot = {
  uptimeSeconds: number;
  /** Null when the database could not be read; the other figures are then left out. */
  counts: SystemCounts | null;
  queryLatencySeconds: number;
};

type CountsRow = {
  campaigns: Record<string, number> | null;
  calls: Record<string, number> | null;
  leads: number | string;
  duration_ms: number | string;
  durations: number | string;
};

/** Reads the counts (bounded in time) and renders the exposition text; a database failure still answers. */
export async function renderMetrics(db: () => Database, logFailure?: (error: unknown) => void): Promise<string> {
  return formatPrometheus(metricFamilies(await collectMetrics(db, logFailure)));
}

export async function collectMetrics(
  db: () => Database,
  logFailure?: (error: unknown) => void,
): Promise<MetricsSnapshot> {
  const started = Date.now();
  let counts: SystemCounts | null = null;
  try {
    counts = await withTimeout(
      Promise.resolve().then(() => readSystemCounts(db())),
      DATABASE_TIMEOUT_MS,
    );
  } catch (error) {
    logFailure?.(error);
  }
  return {
    uptimeSeconds: Math.floor(uptimeMs() / 1000),
    counts,
    queryLatencySeconds: (Date.now() - started) / 1000,
  };
}

/** Every count in one statement: one round trip per scrape, all figures from the same snapshot. */
export async function readSystemCounts(db: Database): Promise<SystemCounts> {
  const result = await db.execute<CountsRow>(sql`
    with campaign_counts as (
      select ${campaigns.status}::text as status, count(*)::int as n from ${campaigns} group by ${campaigns.status}
    ), call_counts as (
      select ${calls.status}::text as status,
        count(*)::int as n,
        count(*) filter (where ${calls.result} = 'lead')::int as leads,
        coalesce(sum(${calls.durationMs}) filter (where ${calls.durationMs} > 0), 0)::float8 as duration_ms,
        count(*) filter (where ${calls.durationMs} > 0)::int as durations
      from ${calls} group by ${calls.status}
    )
    select
      (select jsonb_object_agg(status, n) from campaign_counts) as campaigns,
      (select jsonb_object_agg(status, n) from call_counts) as calls,
      (select coalesce(sum(leads), 0)::int from call_counts) as leads,
      (select coalesce(sum(duration_ms), 0)::float8 from call_counts) as duration_ms,
      (select coalesce(sum(durations), 0)::int from call_counts) as durations`);
  const row = result.rows[0];
  if (!row) throw new Error("metrics query returned no row");
  return {
    campaignsByStatus: countsFor(campaignStatus.enumValues, row.campaigns),
    callsByStatus: countsFor(callStatus.enumValues, row.calls),
    leads: Number(row.leads),
    durationSecondsSum: Number(row.duration_ms) / 1000,
    durationCount: Number(row.durations),
  };
}

/** Every known status, zero when absent, so each series exists from the first scrape. */
function countsFor<S extends string>(statuses: readonly S[], found: Record<string, number> | null): Record<S, number> {
  return Object.fromEntries(statuses.map((status) => [status, Number(found?.[status] ?? 0)])) as Record<S, number>;
}

/** The documented minibot_* families, then Switchboard's own. */
export function metricFamilies(snapshot: MetricsSnapshot): MetricFamily[] {
  const families: MetricFamily[] = [];
  const { counts } = snapshot;
  if (counts) {
    families.push(
      gauge("minibot_campaigns_active", "Number of active campaigns", counts.campaignsByStatus.running),
      gauge("minibot_calls_active", "Number of active calls", activeCalls(counts)),
      {
        name: "minibot_calls_completed_total",
        help: "Total completed calls",
        type: "counter",
        samples: [{ value: counts.callsByStatus.completed }],
      },
    );
  }
  families.push(gauge("minibot_uptime_seconds", "Uptime in seconds", snapshot.uptimeSeconds));
  if (counts) families.push(...switchboardFamilies(counts));
  families.push(
    gauge("switchboard_database_up", "Whether the metrics query succeeded (1) or not (0)", counts ? 1 : 0),
    gauge(
      "switchboard_database_query_seconds",
      "Time taken by the metrics query, connection included",
      snapshot.queryLatencySeconds,
    ),
  );
  return families;
}

function switchboardFamilies(counts: SystemCounts): MetricFamily[] {
  return [
    byStatus("switchboard_campaigns", "Campaigns by status, all organisations", counts.campaignsByStatus),
    byStatus("switchboard_calls", "Calls by status, all organisations", counts.callsByStatus),
    {
      name: "switchboard_leads_total",
      help: "Calls whose result is a lead",
      type: "counter",
      samples: [{ value: counts.leads }],
    },
    {
      name: "switchboard_call_duration_seconds",
      help: "Duration of calls that lasted more than 0 s",
      type: "summary",
      samples: [
        { suffix: "_sum", value: counts.durationSecondsSum },
        { suffix: "_count", value: counts.durationCount },
      ],
    },
  ];
}

function activeCalls(counts: SystemCounts): number {
  return ACTIVE_STATUSES.reduce((sum, status) => sum + counts.callsByStatus[status], 0);
}

function gauge(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: "gauge", samples: [{ value }] };
}

function byStatus(name: string, help: string, counts: Record<string, number>): MetricFamily {
  return {
    name,
    help,
    type: "gauge",
    samples: Object.entries(counts).map(([status, value]) => ({ labels: { status }, value })),
  };
}
