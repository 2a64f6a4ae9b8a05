import { type CallStatus, calls, campaigns, contacts } from "@switchboard/schema";
import { and, eq } from "drizzle-orm";
import type { Transaction } from "../db/client.js";
import { emitWebhookEvent } from "./emit.js";
import { isoSeconds } from "./events.js";

/** What a call was before and after one applied event: enough to tell which webhook events it caused. */
export type CallTransition = {
  orgId: string;
  callId: string;
  before: { status: CallStatus; result: string | null };
  after: { status: CallStatus; result: string | null };
};

/** Statuses after which a call is over: no further dial will happen. */
const FINISHED = new Set<CallStatus>(["completed", "failed", "cancelled", "no_answer", "busy"]);

/**
 * MiniBotPanel's planned call events, emitted in the transaction that applied the call event: `call.completed`
 * once the call is over (whatever its outcome), `call.lead` once its analysis finds a lead. Returns how many
 * deliveries were queued.
 */
export async function emitCallEvents(tx: Transaction, transition: CallTransition): Promise<number> {
  const names = callEventNames(transition);
  if (names.length === 0) return 0;
  const data = await callEventData(tx, transition.orgId, transition.callId);
  if (!data) return 0;
  let queued = 0;
  for (const name of names) {
    queued += await emitWebhookEvent(tx, {
      orgId: transition.orgId,
      name,
      payload: data,
      idempotencyKey: `${name}:${transition.callId}`,
    });
  }
  return queued;
}

function callEventNames({ before, after }: CallTransition): Array<"call.completed" | "call.lead"> {
  const names: Array<"call.completed" | "call.lead"> = [];
  if (FINISHED.has(after.status) && !FINISHED.has(before.status)) names.push("call.completed");
  if (after.result === "lead" && before.result !== "lead") names.push("call.lead");
  return names;
}

async function callEventData(tx: Transaction, orgId: string, callId: string): Promise<Record<string, unknown> | null> {
  const [row] = await tx
    .select({
      number: calls.number,
      id: calls.id,
      campaignNumber: campaigns.number,
      campaignId: calls.campaignId,
      phone: calls.toNumber,
      firstName: contacts.firstName,
      lastName: contacts.lastName,
      status: calls.status,
      result: calls.result,
      sentiment: calls.sentiment,
      summary: calls.summary,
      durationMs: calls.durationMs,
      attempts: calls.attempts,
      hangupCause: calls.hangupCause,
      endedAt: calls.endedAt,
    })
    .from(calls)
    .leftJoin(campaigns, and(eq(campaigns.id, calls.campaignId), eq(campaigns.orgId, calls.orgId)))
    .leftJoin(contacts, and(eq(contacts.id, calls.contactId), eq(contacts.orgId, calls.orgId)))
    .where(and(eq(calls.orgId, orgId), eq(calls.id, callId)));
  if (!row) return null;
  return {
    call_id: row.number,
    call_uuid: row.id,
    campaign_id: row.campaignNumber ?? null,
    campaign_uuid: row.campaignId,
    phone: row.phone,
    contact: { first_name: row.firstName ?? null, last_name: row.lastName ?? null },
    status: row.status,
    result: row.result,
    sentiment: row.sentiment,
    summary: row.summary,
    duration_seconds: row.durationMs === null ? null : Math.round(row.durationMs / 1000),
    attempts: row.attempts,
    hangup_cause: row.hangupCause,
    ended_at: row.endedAt ? isoSeconds(row.endedAt) : null,
  };
}
