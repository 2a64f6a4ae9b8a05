import { calls } from "@switchboard/schema";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { type CampaignRef, findCampaign } from "../campaigns/service.js";
import type { Database } from "../db/client.js";
import { parseInput } from "../shared/validate.js";
import { dialledAt, wasDialled } from "./dialled.js";

export const TIMELINE_INTERVAL = { min: 1, max: 1440, default: 60 } as const;

export const timelineInterval = z.number().int().min(TIMELINE_INTERVAL.min).max(TIMELINE_INTERVAL.max);

export type TimelineBucket = { startsAt: Date; calls: number; leads: number };

/**
 * Buckets are aligned on UTC: every `minutes` since 2000-01-01T00:00Z, so 60 gives whole hours and 1440 UTC days.
 * Only buckets with at least one placed call are returned, oldest first.
 */
const BUCKET_ORIGIN = "2000-01-01T00:00:00Z";

/** Calls placed per interval, and how many of them became leads. */
export async function timelineOf(
  db: Database,
  orgId: string,
  campaignId: string,
  intervalMinutes: number,
): Promise<TimelineBucket[]> {
  const minutes = parseInput(timelineInterval, intervalMinutes, "Invalid timeline interval");
  const bucket = sql`date_bin(make_interval(mins => ${minutes}::int), ${dialledAt}, ${BUCKET_ORIGIN}::timestamptz)`;
  return db
    .select({
      startsAt: bucket.mapWith(calls.createdAt),
      calls: sql<number>`count(*)::int`.mapWith(Number),
      leads: sql<number>`count(*) filter (where ${calls.result} = 'lead')::int`.mapWith(Number),
    })
    .from(calls)
    .where(and(eq(calls.orgId, orgId), eq(calls.campaignId, campaignId), wasDialled))
    .groupBy(sql`1`)
    .orderBy(sql`1`);
}

/** The timeline of the caller's campaign; another organisation's campaign is NotFoundError. */
export async function campaignTimeline(
  db: Database,
  orgId: string,
  ref: CampaignRef,
  intervalMinutes: number,
): Promise<TimelineBucket[]> {
  const minutes = parseInput(timelineInterval, intervalMinutes, "Invalid timeline interval");
  const campaign = await findCampaign(db, orgId, ref);
  return timelineOf(db, orgId, campaign.id, minutes);
}
