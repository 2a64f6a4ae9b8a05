import type { CallStatus } from "@switchboard/schema";

/**
 * How call statuses roll up in every count shown to users (stats, lists, metrics).
 * Waiting covers calls not dialled yet, waiting for a retry, or held for credit; a stop cancels them.
 * Active covers calls on the line.
 */
export const WAITING_STATUSES = ["pending", "scheduled", "suspended"] as const satisfies readonly CallStatus[];
export const ACTIVE_STATUSES = ["calling", "ringing", "in_progress"] as const satisfies readonly CallStatus[];
/** Ended without a conversation: retries (if any) are spent. A call waiting for its retry is `scheduled`. */
export const FAILED_STATUSES = ["failed", "busy", "no_answer"] as const satisfies readonly CallStatus[];
