import type { CallSummary, CampaignView } from "../../campaigns/service.js";
import { legacyTimestamp } from "./format.js";

/** MiniBotPanel's JSON for campaigns, shared by the campaign endpoints and the JSON export. */

const WIRE_NAMES = {
  total: "total",
  pending: "pending",
  inProgress: "in_progress",
  completed: "completed",
  cancelled: "cancelled",
  leads: "leads",
  notInterested: "not_interested",
  callbacks: "callbacks",
} as const satisfies Record<keyof CallSummary, string>;

type WireCounts<K extends keyof CallSummary> = { [P in K as (typeof WIRE_NAMES)[P]]: number };

/** The documented subset of an endpoint's counts, in MiniBotPanel's names. */
export function countsOf<K extends keyof CallSummary>(summary: CallSummary, keys: readonly K[]): WireCounts<K> {
  return Object.fromEntries(keys.map((key) => [WIRE_NAMES[key], summary[key]])) as WireCounts<K>;
}

/** The counts shown with one campaign (details, PATCH, JSON export). */
export function detailCounts(summary: CallSummary) {
  return countsOf(summary, ["total", "completed", "inProgress", "pending", "leads", "notInterested", "callbacks"]);
}

/** The fields every campaign body has: identity, state, counts and timestamps. */
export function campaignRecord<S>(campaign: CampaignView, stats: S) {
  return {
    id: campaign.number,
    name: campaign.name,
    description: campaign.description,
    scenario: campaign.scenario,
    status: campaign.status,
    stats,
    created_at: legacyTimestamp(campaign.createdAt),
    started_at: legacyTimestamp(campaign.startedAt),
    completed_at: legacyTimestamp(campaign.completedAt),
  };
}

/** A campaign with its pacing settings, as created, read and patched. */
export function campaignDetail<S>(campaign: CampaignView, stats: S) {
  return {
    ...campaignRecord(campaign, stats),
    max_concurrent_calls: campaign.maxConcurrentCalls,
    batch_size: campaign.batchSize,
    retry_enabled: campaign.retryEnabled,
    max_retries: campaign.maxRetries,
  };
}

/** Whole seconds, as the legacy API printed call durations. */
export function durationSeconds(durationMs: number | null): number | null {
  return durationMs === null ? null : Math.round(durationMs / 1000);
}
