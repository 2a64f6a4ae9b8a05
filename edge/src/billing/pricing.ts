import type { PlanType } from "@switchboard/schema";

/**
 * What a call costs, per plan, free of I/O. Amounts are in the account's unit: credits (USD) on credit_based
 * plans, minutes on minutes plans; unlimited plans are never reserved nor charged.
 */

/** SpeechAI's rates (LEGACY-NOTES): 0.02 per connected call plus 0.15 per minute, billed by the second. */
export const CREDIT_SETUP_FEE = 0.02;
export const CREDIT_PER_MINUTE = 0.15;
/**
 * A dial reserves the cost of a call this long: the most one call may be charged (a longer call is charged
 * this ceiling), and the credit it holds while on the line.
 */
export const RESERVATION_MINUTES = 10;
/** A batch's estimate assumes calls this long (0.02 + 3 × 0.15 = 0.47 per contact). */
export const ESTIMATE_MINUTES = 3;

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/** Credit held for one dial; 0 means the plan never reserves (and never blocks). */
export function reservationFor(plan: PlanType): number {
  switch (plan) {
    case "credit_based":
      return round4(CREDIT_SETUP_FEE + CREDIT_PER_MINUTE * RESERVATION_MINUTES);
    case "minutes":
      return RESERVATION_MINUTES;
    case "unlimited":
      return 0;
  }
}

/** Seconds billed for a dial: whole seconds of talk, rounded up; nothing for a call nobody answered. */
export function billableSeconds(durationMs: number | null, answered: boolean): number {
  if (!answered || durationMs === null || durationMs <= 0) return 0;
  return Math.ceil(durationMs / 1000);
}

/** The real cost of a dial of `seconds` billable seconds on each plan that charges (before the reservation cap). */
export function callCharges(seconds: number): { creditBased: number; minutes: number } {
  if (seconds <= 0) return { creditBased: 0, minutes: 0 };
  return {
    creditBased: round4(CREDIT_SETUP_FEE + (CREDIT_PER_MINUTE * seconds) / 60),
    minutes: round4(seconds / 60),
  };
}

/** The estimated cost of calling `contacts` contacts (a batch's credit check); 0 on unlimited plans. */
export function estimateCost(plan: PlanType, contacts: number): number {
  switch (plan) {
    case "credit_based":
      return round4(contacts * (CREDIT_SETUP_FEE + CREDIT_PER_MINUTE * ESTIMATE_MINUTES));
    case "minutes":
      return contacts * ESTIMATE_MINUTES;
    case "unlimited":
      return 0;
  }
}
