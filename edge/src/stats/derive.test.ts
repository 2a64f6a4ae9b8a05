import { callResult, callStatus } from "@switchboard/schema";
import { describe, expect, it } from "vitest";
import { campaignSummary, estimatedEnd, fullStats, liveStats, ratioValue } from "./derive.js";
import type { CampaignFacts } from "./facts.js";
import { isFresh, liveStatsCacheUrl, reviveLiveStats } from "./live-cache.js";

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

const HOUR = 3_600_000;
const NOW = new Date("2025-01-15T16:05:00Z");

function facts(overrides: Partial<CampaignFacts> = {}): CampaignFacts {
  return {
    campaign: {
      id: "00000000-0000-4000-8000-000000000042",
      number: 42,
      name: "Prospection Q1 2025",
      status: "running",
      agentSlug: "scenario_finance_crypto",
      createdAt: new Date("2025-01-15T14:00:00Z"),
      startedAt: new Date("2025-01-15T14:05:00Z"),
      completedAt: null,
    },
    total: 0,
    statuses: zeros(callStatus.enumValues),
    results: zeros(callResult.enumValues),
    sentiment: { positive: 0, neutral: 0, negative: 0 },
    amd: { human: 0, machine: 0 },
    durations: { count: 0, totalSeconds: 0 },
    ...overrides,
  };
}

/** The legacy document's example campaign: 150 calls, 87 completed, 23 leads. */
const documented = facts({
  total: 150,
  statuses: {
    ...zeros(callStatus.enumValues),
    pending: 58,
    scheduled: 2,
    calling: 2,
    ringing: 1,
    in_progress: 0,
    completed: 87,
  },
  results: { ...zeros(callResult.enumValues), lead: 23, not_interested: 45, callback: 12, no_answer: 5, failed: 2 },
  sentiment: { positive: 35, neutral: 30, negative: 22 },
  amd: { human: 82, machine: 5 },
  durations: { count: 87, totalSeconds: 87 * 124.5 },
});

describe("fullStats", () => {
  it("derives the documented rates from the counts", () => {
    const stats = fullStats(documented, NOW);
    expect(ratioValue(stats.amd.detection)).toBeCloseTo(82 / 87);
    expect(ratioValue(stats.conversion.rate)).toBeCloseTo(23 / 87);
    expect(stats.averageDurationSeconds).toBeCloseTo(124.5);
    expect(stats.elapsedSeconds).toBe(2 * 3600);
    expect(stats.callsPerHour).toBeCloseTo(87 / 2);
  });

  it("measures elapsed time up to completion once completed", () => {
    const completed = facts({
      statuses: { ...zeros(callStatus.enumValues), completed: 10 },
      campaign: { ...documented.campaign, status: "completed", completedAt: new Date("2025-01-15T14:35:00Z") },
    });
    const stats = fullStats(completed, NOW);
    expect(stats.elapsedSeconds).toBe(30 * 60);
    expect(stats.callsPerHour).toBeCloseTo(20);
  });

  it("has nothing to divide by before the start", () => {
    const stats = fullStats(facts({ campaign: { ...documented.campaign, status: "pending", startedAt: null } }), NOW);
    expect(stats.elapsedSeconds).toBe(0);
    expect(stats.callsPerHour).toBe(0);
    expect(stats.averageDurationSeconds).toBeNull();
    expect(ratioValue(stats.amd.detection)).toBeNull();
    expect(ratioValue(stats.conversion.rate)).toBeNull();
  });
});

describe("liveStats", () => {
  it("groups waiting and active statuses and projects the end", () => {
    const live = liveStats(documented, NOW);
    expect(live.pending).toBe(60);
    expect(live.inProgress).toBe(3);
    expect(ratioValue(live.rates.completion)).toBeCloseTo(87 / 150);
    expect(ratioValue(live.sentiment.positiveRate)).toBeCloseTo(35 / 87);
    // 87 calls in 2 h: 63 calls still to finish take 63 × (2 h / 87).
    expect(live.eta?.getTime()).toBe(NOW.getTime() + Math.round(((2 * HOUR) / 87) * 63));
    expect(live.lastUpdate).toBe(NOW);
  });
});

describe("estimatedEnd", () => {
  const running = { status: "running" as const, startedAt: new Date(NOW.getTime() - HOUR) };
  it("projects completed ÷ elapsed over what is left", () => {
    expect(estimatedEnd(running, { completed: 10, inProgress: 2, pending: 8 }, NOW)).toEqual(
      new Date(NOW.getTime() + HOUR),
    );
  });
  it("is null unless running with calls both completed and in progress", () => {
    expect(
      estimatedEnd({ ...running, status: "paused" }, { completed: 10, inProgress: 2, pending: 8 }, NOW),
    ).toBeNull();
    expect(estimatedEnd(running, { completed: 0, inProgress: 2, pending: 8 }, NOW)).toBeNull();
    expect(estimatedEnd(running, { completed: 10, inProgress: 0, pending: 8 }, NOW)).toBeNull();
    expect(estimatedEnd({ ...running, startedAt: null }, { completed: 10, inProgress: 2, pending: 8 }, NOW)).toBeNull();
  });
});

describe("campaignSummary", () => {
  it("reports completion over all calls and conversion over completed ones", () => {
    const summary = campaignSummary(documented);
    expect(summary.completionRate).toEqual({ part: 87, whole: 150 });
    expect(summary.conversionRate).toEqual({ part: 23, whole: 87 });
  });
});

describe("live statistics cache entries", () => {
  it("are keyed by organisation and campaign", () => {
    const a = liveStatsCacheUrl({ orgId: "org-a", campaignNumber: 42 });
    expect(a).not.toBe(liveStatsCacheUrl({ orgId: "org-b", campaignNumber: 42 }));
    expect(a).not.toBe(liveStatsCacheUrl({ orgId: "org-a", campaignNumber: 43 }));
    expect(new URL(a).protocol).toBe("https:");
  });

  it("survive a JSON round trip with their dates", () => {
    const live = liveStats(documented, NOW);
    expect(reviveLiveStats(JSON.parse(JSON.stringify(live)))).toEqual(live);
  });

  it("stay fresh for five seconds", () => {
    const live = liveStats(documented, NOW);
    expect(isFresh(live, new Date(NOW.getTime() + 4_999))).toBe(true);
    expect(isFresh(live, new Date(NOW.getTime() + 5_000))).toBe(false);
  });
});
