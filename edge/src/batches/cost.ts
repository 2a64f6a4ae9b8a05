import { roundCents } from "./plan.js";

/** What one job is expected to cost: a setup fee plus the expected minutes at the per-minute rate. */
export type CallRates = { setup: number; perMinute: number; expectedMinutes: number };

/** SpeechAI's credit-plan rates: 0.02 + 3 min × 0.15 = 0.47 per contact. */
export const DEFAULT_CALL_RATES: CallRates = { setup: 0.02, perMinute: 0.15, expectedMinutes: 3 };

export function estimatePerJob(rates: CallRates): number {
  return roundCents(rates.setup + rates.expectedMinutes * rates.perMinute);
}

/** The batch's estimate: one call per job, at the per-job estimate (12 jobs → 5.64 at the default rates). */
export function estimateBatchCost(jobs: number, rates: CallRates = DEFAULT_CALL_RATES): number {
  return roundCents(jobs * estimatePerJob(rates));
}
