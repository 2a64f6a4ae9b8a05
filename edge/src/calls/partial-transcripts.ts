import { calls } from "@switchboard/schema";
import { partialTranscript } from "@switchboard/schema/internal/calls";
import { eq } from "drizzle-orm";
import type { Database } from "../db/client.js";
import type { LiveEvent } from "../live/events.js";
import { NotFoundError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { parseInput } from "../shared/validate.js";
import { ACTIVE_STATUSES } from "./status-groups.js";

/**
 * What the contact has said so far, as a live transcript line for subscribers. Nothing is written: the final
 * turn event is the record. A line of an earlier attempt, or of a call no longer on the line, is dropped.
 */
export async function partialTranscriptEvent(
  db: Database,
  callId: string,
  input: unknown,
): Promise<{ orgId: string; event: LiveEvent } | null> {
  const partial = parseInput(partialTranscript, input, "Invalid partial transcript");
  if (!isUuid(callId)) throw new NotFoundError(`Call ${callId}`);
  const [call] = await db
    .select({ orgId: calls.orgId, campaignId: calls.campaignId, attempts: calls.attempts, status: calls.status })
    .from(calls)
    .where(eq(calls.id, callId));
  if (!call) throw new NotFoundError(`Call ${callId}`);
  // Any line state of a live dial, not only in_progress: partials skip the media node's ordered outbox, so they
  // can overtake the very status report that says the call was answered.
  if (call.attempts !== partial.attempt || !isActive(call.status)) return null;
  const turn = {
    callId,
    campaignId: call.campaignId,
    sequence: partial.sequence,
    speaker: "contact" as const,
    text: partial.text,
    intent: null,
    spokenAt: partial.occurred_at,
    final: false,
  };
  return { orgId: call.orgId, event: { type: "turn", turn } };
}

function isActive(status: string): boolean {
  return (ACTIVE_STATUSES as readonly string[]).includes(status);
}
