import type { CallStatus } from "@switchboard/schema";
import { WAITING_STATUSES } from "../../calls/status-groups.js";
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
  failed: "failed",
  suspended: "suspended",
  cost: "cost",
  durationMs: "duration_ms",
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

/** MiniBotPanel's call statuses: waiting for a retry or for credit is `pending`, busy is a `no_answer`. */
export const LEGACY_CALL_STATUSES = [
  "pending",
  "calling",
  "ringing",
  "in_progress",
  "completed",
  "failed",
  "cancelled",
  "no_answer",
] as const;
export type LegacyCallStatus = (typeof LEGACY_CALL_STATUSES)[number];

export function legacyCallStatus(status: CallStatus): LegacyCallStatus {
  if ((WAITING_STATUSES as readonly CallStatus[]).includes(status)) return "pending";
  return status === "busy" ? "no_answer" : (status as LegacyCallStatus);
}

/** The statuses a legacy status filter stands for. */
export function statusesFor(legacy: LegacyCallStatus): CallStatus[] {
  if (legacy === "pending") return [...WAITING_STATUSES];
  return legacy === "no_answer" ? ["no_answer", "busy"] : [legacy];
}
