import type { CallStatus } from "@switchboard/schema";

/**
 * How call statuses roll up in every count shown to users (stats, lists, metrics).
 * Waiting covers calls not yet dialled or waiting for a retry; active covers calls on the line.
 */
export const WAITING_STATUSES = ["pending", "scheduled"] as const satisfies readonly CallStatus[];
export const ACTIVE_STATUSES = ["calling", "ringing", "in_progress"] as const satisfies readonly CallStatus[];
/** Statuses a stop cancels: nothing has been dialled yet, or the next dial is not due. */
export const CANCELLABLE_STATUSES = ["pending", "scheduled", "suspended"] as const satisfies readonly CallStatus[];
