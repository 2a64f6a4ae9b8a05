import type { CallResult } from "@switchboard/schema";
import { ACTIVE_STATUSES, WAITING_STATUSES } from "../calls/status-groups.js";
import type { CampaignFacts, CampaignInfo } from "./facts.js";

/**
 * Pure derivations from the aggregated counts (MiniBotPanel's formulas, shared by REST and GraphQL).
 * A rate is kept as its two counts, so each surface can say what "nothing to divide by" looks like.
 */
export type Ratio = { part: number; whole: number };

/** part ÷ whole, or null when there is nothing to divide by. */
export function ratioValue({ part, whole }: Ratio): number | null {
  return whole > 0 ? part / whole : null;
}

const HOUR_MS = 3_600_000;

export type CampaignStats = Omit<CampaignFacts, "amd"> & {
  amd: { human: number; machine: number; detection: Ratio };
  /** Over calls with a duration above 0; null when there is none. */
  averageDurationSeconds: number | null;
  /** Completed calls per hour of elapsed time; 0 before the campaign starts. */
  callsPerHour: number;
  conversion: { leads: number; rate: Ratio };
  /** From started_at to completed_at, or to now while not completed; 0 before the start. */
  elapsedSeconds: number;
};

export type LiveResults = {
  leads: number;
  notInterested: number;
  callbacks: number;
  answeringMachines: number;
  noAnswer: number;
};

export type LiveStats = {
  campaign: CampaignInfo;
  total: number;
  completed: number;
  /** Calling, ringing or in progress. */
  inProgress: number;
  /** Not dialled yet, or waiting for a retry. */
  pending: number;
  results: LiveResults;
  rates: { completion: Ratio; leads: Ratio; notInterested: Ratio };
  duration: { averageSeconds: number | null; totalSeconds: number };
  sentiment: CampaignFacts["sentiment"] & { positiveRate: Ratio };
  /** Projected end at the pace so far; null unless running with calls both completed and in progress. */
  eta: Date | null;
  /** When these figures were computed (they may be served from the cache for a few seconds). */
  lastUpdate: Date;
};

export type CampaignSummary = {
  campaign: CampaignInfo;
  totalCalls: number;
  completedCalls: number;
  completionRate: Ratio;
  results: Record<CallResult, number>;
  conversionRate: Ratio;
  averageDurationSeconds: number | null;
};

export function sumOf<K extends string>(counts: Record<K, number>, keys: readonly K[]): number {
  return keys.reduce((total, key) => total + counts[key], 0);
}

export function averageDuration(durations: CampaignFacts["durations"]): number | null {
  return durations.count > 0 ? durations.totalSeconds / durations.count : null;
}

export function elapsedMs(campaign: Pick<CampaignInfo, "startedAt" | "completedAt">, now: Date): number {
  if (!campaign.startedAt) return 0;
  const end = campaign.completedAt ?? now;
  return Math.max(0, end.getTime() - campaign.startedAt.getTime());
}

export function callsPerHour(completed: number, elapsed: number): number {
  return elapsed > 0 ? completed / (elapsed / HOUR_MS) : 0;
}

export function fullStats(facts: CampaignFacts, now: Date): CampaignStats {
  const completed = facts.statuses.completed;
  const elapsed = elapsedMs(facts.campaign, now);
  const { human, machine } = facts.amd;
  return {
    ...facts,
    amd: { human, machine, detection: { part: human, whole: human + machine } },
    averageDurationSeconds: averageDuration(facts.durations),
    callsPerHour: callsPerHour(completed, elapsed),
    conversion: { leads: facts.results.lead, rate: { part: facts.results.lead, whole: completed } },
    elapsedSeconds: Math.floor(elapsed / 1000),
  };
}

/**
 * The completion pace so far (completed ÷ time since the start) projected over the calls still to finish
 * (pending + in progress). Only meaningful while running with some completed and some in progress.
 */
export function estimatedEnd(
  campaign: Pick<CampaignInfo, "status" | "startedAt">,
  counts: { completed: number; inProgress: number; pending: number },
  now: Date,
): Date | null {
  if (campaign.status !== "running" || !campaign.startedAt) return null;
  if (counts.completed === 0 || counts.inProgress === 0) return null;
  const spent = now.getTime() - campaign.startedAt.getTime();
  if (spent <= 0) return null;
  const msPerCall = spent / counts.completed;
  return new Date(now.getTime() + Math.round(msPerCall * (counts.pending + counts.inProgress)));
}

export function liveStats(facts: CampaignFacts, now: Date): LiveStats {
  const completed = facts.statuses.completed;
  const counts = {
    completed,
    inProgress: sumOf(facts.statuses, ACTIVE_STATUSES),
    pending: sumOf(facts.statuses, WAITING_STATUSES),
  };
  const { results } = facts;
  return {
    campaign: facts.campaign,
    total: facts.total,
    ...counts,
    results: {
      leads: results.lead,
      notInterested: results.not_interested,
      callbacks: results.callback,
      answeringMachines: results.answering_machine,
      noAnswer: results.no_answer,
    },
    rates: {
      completion: { part: completed, whole: facts.total },
      leads: { part: results.lead, whole: completed },
      notInterested: { part: results.not_interested, whole: completed },
    },
    duration: { averageSeconds: averageDuration(facts.durations), totalSeconds: facts.durations.totalSeconds },
    sentiment: { ...facts.sentiment, positiveRate: { part: facts.sentiment.positive, whole: completed } },
    eta: estimatedEnd(facts.campaign, counts, now),
    lastUpdate: now,
  };
}

export function campaignSummary(facts: CampaignFacts): CampaignSummary {
  const completed = facts.statuses.completed;
  return {
    campaign: facts.campaign,
    totalCalls: facts.total,
    completedCalls: completed,
    completionRate: { part: completed, whole: facts.total },
    results: facts.results,
    conversionRate: { part: facts.results.lead, whole: completed },
    averageDurationSeconds: averageDuration(facts.durations),
  };
}
