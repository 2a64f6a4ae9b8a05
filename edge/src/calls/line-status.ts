import type { CallStatus } from "@switchboard/schema";

/**
 * Order of a dial's line states: a report may only move a dial forward, so a late "ringing" after
 * "completed" is kept in the event log but changes nothing.
 */
const PROGRESS: Partial<Record<CallStatus, number>> = {
  calling: 1,
  ringing: 2,
  in_progress: 3,
  completed: 4,
  failed: 4,
  no_answer: 4,
  busy: 4,
};

export function lineProgress(status: CallStatus | null | undefined): number {
  return status ? (PROGRESS[status] ?? 0) : 0;
}

/** Line states that end a dial. */
export const DIAL_ENDING_STATUSES = [
  "completed",
  "failed",
  "no_answer",
  "busy",
] as const satisfies readonly CallStatus[];

/** Call statuses nothing reported by the line may change any more. */
export const FINAL_CALL_STATUSES = new Set<CallStatus>(["completed", "failed", "cancelled", "no_answer", "busy"]);

export function endsDial(status: CallStatus): boolean {
  return (DIAL_ENDING_STATUSES as readonly CallStatus[]).includes(status);
}
