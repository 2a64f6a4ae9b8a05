/**
 * Campaign and organisation statistics, shared by MiniBotPanel's REST surface and GraphQL.
 * Postgres does the counting (one statement per figure set); the formulas live in derive.ts.
 */
import type { CampaignRef } from "../campaigns/service.js";
import type { Database } from "../db/client.js";
import {
  type CampaignStats,
  type CampaignSummary,
  fullStats,
  type LiveStats,
  liveStats,
  campaignSummary as summarise,
} from "./derive.js";
import { loadCampaignFacts } from "./facts.js";
import type { LiveStatsStore } from "./live-cache.js";

export type { CampaignStats, CampaignSummary, LiveStats, Ratio } from "./derive.js";
export { ratioValue } from "./derive.js";
export { SYSTEM_MAX_CONCURRENT_CALLS, type SystemStats, systemStats } from "./system.js";
export { campaignTimeline, TIMELINE_INTERVAL, type TimelineBucket, timelineOf } from "./timeline.js";

export async function campaignStats(db: Database, orgId: string, ref: CampaignRef): Promise<CampaignStats> {
  const facts = await loadCampaignFacts(db, orgId, ref);
  return fullStats(facts, new Date());
}

export async function campaignSummary(db: Database, orgId: string, ref: CampaignRef): Promise<CampaignSummary> {
  return summarise(await loadCampaignFacts(db, orgId, ref));
}

/** Live figures computed now, uncached: what campaignProgress pushes after a change. */
export async function freshCampaignLiveStats(db: Database, orgId: string, ref: CampaignRef): Promise<LiveStats> {
  return liveStats(await loadCampaignFacts(db, orgId, ref), new Date());
}

/**
 * Live figures, served from `store` while under five seconds old. Keyed by organisation and campaign number,
 * and only ever written after the organisation-scoped lookup succeeded, so one tenant never reads another's.
 */
export async function campaignLiveStats(
  db: Database,
  orgId: string,
  campaignNumber: number,
  store: LiveStatsStore,
): Promise<LiveStats> {
  const key = { orgId, campaignNumber };
  const cached = await store.read(key, new Date());
  if (cached) return cached;
  const facts = await loadCampaignFacts(db, orgId, { number: campaignNumber });
  const stats = liveStats(facts, new Date());
  await store.write(key, stats);
  return stats;
}
