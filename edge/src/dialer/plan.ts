/**
 * The dialer's decisions, free of I/O: how many calls a tick may place, when the next tick runs, and what a
 * media node refusal does to a call. The Durable Object and the SQL only carry these out.
 */

/** While calls are on the line the dialer looks again this soon, in case a wake from the events API is lost. */
export const ACTIVE_POLL_MS = 2_000;
/** Due calls beyond `batch_size` wait for the next tick: this is the pace of a campaign's ramp-up. */
export const REFILL_PACE_MS = 1_000;
/** A call the media node refused or could not take goes back to `scheduled` for this long. */
export const REFUSAL_RETRY_DELAY_SECONDS = 30;
/** After this many refusals in a row a call is marked failed instead of waiting again. */
export const MAX_DIAL_REFUSALS = 5;
/** A dial not answered nor ended after this long is lost (jambonz gives up ringing after 60 s by default). */
export const LOST_DIAL_AFTER_SECONDS = 10 * 60;
/** A conversation not ended after this long is lost: the media node ends silent or stuck calls in minutes. */
export const LOST_CONVERSATION_AFTER_SECONDS = 3 * 60 * 60;
/** When the tick itself failed (database unreachable…), the next try. */
export const ERROR_RETRY_MS = 5_000;

export type Capacity = {
  maxConcurrentCalls: number;
  batchSize: number;
  /** Calls of the campaign in calling/ringing/in_progress, counted under the campaign's row lock. */
  active: number;
  /** Waiting calls that may be dialled now. */
  due: number;
};

/** min(free slots, batch size, due calls), never negative (max_concurrent_calls may have been lowered). */
export function callsToClaim(capacity: Capacity): number {
  const free = capacity.maxConcurrentCalls - capacity.active;
  return Math.max(0, Math.min(free, capacity.batchSize, capacity.due));
}

export type TickState = {
  now: number;
  /** Calls in flight after this tick's claims. */
  active: number;
  /** Due calls still waiting after this tick's claims. */
  dueLeft: number;
  /** Free slots after this tick's claims. */
  free: number;
  /** Whether calls may be placed now (calling window open, dialling configured). */
  dialable: boolean;
  /** The calling window opens later than now. */
  windowOpensAt: number | null;
  /** The earliest retry waiting in the future. */
  nextRetryAt: number | null;
};

/** When the dialer should look again; null means only a wake (start, resume, a call's end) restarts it. */
export function nextTickAt(state: TickState): number | null {
  const candidates: number[] = [];
  if (state.active > 0) candidates.push(state.now + ACTIVE_POLL_MS);
  if (state.dueLeft > 0 && state.dialable && state.free > 0) candidates.push(state.now + REFILL_PACE_MS);
  if (state.dueLeft > 0 && state.windowOpensAt !== null) candidates.push(state.windowOpensAt);
  if (state.nextRetryAt !== null) candidates.push(Math.max(state.nextRetryAt, state.now));
  return candidates.length > 0 ? Math.min(...candidates) : null;
}

/** How the media node answered a PlaceCallRequest. */
export type DialOutcome =
  /** Accepted (2xx); the sid is null when the answer did not carry a valid one. */
  | { kind: "placed"; jambonzCallSid: string | null }
  /** Worth trying again later: unreachable, timeout, 5xx, 429, 401… */
  | { kind: "refused"; reason: string }
  /** The request itself is wrong for this call (400/422): trying again cannot help. */
  | { kind: "rejected"; reason: string };

export type RefusalDecision = { kind: "reschedule"; delaySeconds: number } | { kind: "fail" };

/**
 * A refused dial never reached the line, so it does not count as an attempt: the call waits and is dialled
 * again with the same attempt number. A call refused MAX_DIAL_REFUSALS times in a row, or rejected, fails.
 */
export function decideRefusal(outcome: DialOutcome, refusalsBefore: number): RefusalDecision {
  if (outcome.kind === "rejected") return { kind: "fail" };
  if (refusalsBefore + 1 >= MAX_DIAL_REFUSALS) return { kind: "fail" };
  return { kind: "reschedule", delaySeconds: REFUSAL_RETRY_DELAY_SECONDS };
}

/** HTTP statuses that say the request is wrong, not the moment. */
export function isPermanentRejection(status: number): boolean {
  return status === 400 || status === 422;
}

/** The caller id for a call: its own when set, else the campaign's numbers in turn. */
export function callerIdFor(call: { fromNumber: string | null; number: number }, callerNumbers: string[]) {
  if (call.fromNumber) return call.fromNumber;
  if (callerNumbers.length === 0) return null;
  return callerNumbers[call.number % callerNumbers.length] ?? null;
}
