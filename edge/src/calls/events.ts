import { type CallStatus, callAttempts, callEvents, calls, callTurns, campaigns } from "@switchboard/schema";
import { type CallEvent, callEvent, callEventBatch } from "@switchboard/schema/internal/calls";
import { and, eq, sql } from "drizzle-orm";
import { settleCallCredit } from "../billing/ledger.js";
import { billableSeconds } from "../billing/pricing.js";
import type { Database, Transaction } from "../db/client.js";
import { activity, type CallSnapshot, type LiveEvent } from "../live/events.js";
import { NotFoundError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { parseInput } from "../shared/validate.js";
import { emitCallEvents } from "../webhooks/call-events.js";
import { endsDial, FINAL_CALL_STATUSES, lineProgress } from "./line-status.js";
import { analyseCompletedCall } from "./post-call.js";
import { decideAfterUnanswered } from "./retry.js";

type CallRow = typeof calls.$inferSelect;
type StatusEvent = Extract<CallEvent, { type: "status" }>;
type AmdEvent = Extract<CallEvent, { type: "amd" }>;
type TurnEvent = Extract<CallEvent, { type: "turn" }>;

export type EventOutcome = {
  /** False for a replayed key and for a report that arrived too late to change anything. */
  applied: boolean;
  /** The campaign whose dialer should refill a slot, once the transaction has committed. */
  wakeCampaignId: string | null;
  /** What live subscribers should see, to publish once the transaction has committed. */
  live?: { orgId: string; events: LiveEvent[] };
  /** The organisation whose webhook dispatcher has deliveries to send, once the transaction has committed. */
  webhooksOrgId?: string;
};

const NOT_APPLIED: EventOutcome = { applied: false, wakeCampaignId: null };
const APPLIED: EventOutcome = { applied: true, wakeCampaignId: null };

/**
 * Applies one report of the media node to a call, exactly once. The call id alone names the call (the
 * media node is trusted across organisations); every write is scoped to the call's organisation. The
 * event is logged under its idempotency key first, in the same transaction as its effects, so a replay
 * finds the key taken and changes nothing.
 */
export async function recordCallEvent(
  db: Database,
  callId: string,
  input: unknown,
  now: Date = new Date(),
): Promise<EventOutcome> {
  const event = parseInput(callEvent, input, "Invalid call event");
  if (!isUuid(callId)) throw new NotFoundError(`Call ${callId}`);
  return db.transaction(async (tx) => {
    // Locking the call serialises concurrent reports about it (a turn and the final status, say).
    const [call] = await tx.select().from(calls).where(eq(calls.id, callId)).for("no key update");
    if (!call) throw new NotFoundError(`Call ${callId}`);
    if (!(await logEvent(tx, call, event))) return NOT_APPLIED;
    const outcome = await applyEvent(tx, call, event, now);
    if (!outcome.applied) return outcome;
    const after = await snapshotOf(tx, call);
    if (!after) return outcome;
    const webhookEvents = await emitCallEvents(tx, { orgId: call.orgId, callId: call.id, before: call, after });
    return {
      ...outcome,
      live: { orgId: call.orgId, events: liveEventsAfter(call, after, event) },
      ...(webhookEvents > 0 ? { webhooksOrgId: call.orgId } : {}),
    };
  });
}

function applyEvent(tx: Transaction, call: CallRow, event: CallEvent, now: Date): Promise<EventOutcome> {
  switch (event.type) {
    case "status":
      return applyStatus(tx, call, event, now);
    case "amd":
      return applyAmd(tx, call, event);
    case "turn":
      return applyTurn(tx, call, event);
  }
}

/**
 * The call as an applied event left it, read inside its transaction so the snapshot is exactly the state this
 * event left (a later read could already show the next one).
 */
async function snapshotOf(tx: Transaction, before: CallRow): Promise<CallSnapshot | undefined> {
  const [after] = await tx
    .select({
      id: calls.id,
      campaignId: calls.campaignId,
      status: calls.status,
      result: calls.result,
      amdResult: calls.amdResult,
      durationMs: calls.durationMs,
      attempts: calls.attempts,
      hangupCause: calls.hangupCause,
    })
    .from(calls)
    .where(and(eq(calls.orgId, before.orgId), eq(calls.id, before.id)));
  return after;
}

/**
 * What live subscribers learn from an applied event: the spoken turn, the call when its line state changed, a
 * progress nudge for its campaign, and a lead when one was just found.
 */
function liveEventsAfter(before: CallRow, after: CallSnapshot, event: CallEvent): LiveEvent[] {
  const events: LiveEvent[] = [];
  if (event.type === "turn") {
    events.push({
      type: "turn",
      turn: {
        callId: before.id,
        campaignId: before.campaignId,
        sequence: event.sequence,
        speaker: event.speaker,
        text: event.text,
        intent: event.intent ?? null,
        spokenAt: event.occurred_at,
        final: true,
      },
    });
  }
  if (!lineStateChanged(before, after)) return events;
  events.push({ type: "call", call: after });
  if (after.campaignId) events.push({ type: "progress", campaignId: after.campaignId });
  if (after.result === "lead" && before.result !== "lead") {
    events.push(activity("lead_found", { campaignId: after.campaignId, callId: after.id }));
  }
  return events;
}

function lineStateChanged(before: CallSnapshot, after: CallSnapshot): boolean {
  const keys = ["status", "result", "amdResult", "durationMs", "attempts", "hangupCause"] as const;
  return keys.some((key) => before[key] !== after[key]);
}

/**
 * A batch of one call's events, checked whole before any is applied, then applied in order, each exactly
 * once in its own transaction, as recordCallEvent would one by one.
 */
export async function recordCallEvents(db: Database, callId: string, input: unknown): Promise<EventOutcome[]> {
  const batch = parseInput(callEventBatch, input, "Invalid call event batch");
  const outcomes: EventOutcome[] = [];
  for (const event of batch.events) outcomes.push(await recordCallEvent(db, callId, event));
  return outcomes;
}

/** True when the key is new for the organisation. */
async function logEvent(tx: Transaction, call: CallRow, event: CallEvent): Promise<boolean> {
  const inserted = await tx
    .insert(callEvents)
    .values({
      orgId: call.orgId,
      callId: call.id,
      idempotencyKey: event.idempotency_key,
      type: event.type,
      payload: event,
      occurredAt: new Date(event.occurred_at),
    })
    .onConflictDoNothing()
    .returning({ id: callEvents.id });
  return inserted.length > 0;
}

// ── Status ───────────────────────────────────────────────────────────────────────────────────────────

async function applyStatus(tx: Transaction, call: CallRow, event: StatusEvent, now: Date): Promise<EventOutcome> {
  const occurredAt = new Date(event.occurred_at);
  const [dial] = await tx
    .select({
      status: callAttempts.status,
      answeredAt: callAttempts.answeredAt,
      jambonzCallSid: callAttempts.jambonzCallSid,
    })
    .from(callAttempts)
    .where(
      and(
        eq(callAttempts.orgId, call.orgId),
        eq(callAttempts.callId, call.id),
        eq(callAttempts.attemptNumber, event.attempt),
      ),
    );
  if (!movesForward(event, dial)) return NOT_APPLIED;
  const durationMs = talkTime(event, dial?.answeredAt ?? call.answeredAt, occurredAt);
  await upsertDial(tx, call, event, occurredAt, durationMs);
  // A report about an older dial, or about a call already settled, only updates that dial's row.
  if (event.attempt < call.attempts || FINAL_CALL_STATUSES.has(call.status)) return APPLIED;
  if (!endsDial(event.status)) {
    await progressCall(tx, call, event, occurredAt);
    return APPLIED;
  }
  await endDial(tx, call, event, { occurredAt, durationMs, now });
  await settleDial(tx, call, event, durationMs);
  return { applied: true, wakeCampaignId: call.campaignId };
}

/**
 * The dial's credit reservation is settled with the dial, in its transaction: an answered call is charged
 * for its talk time (capped at the reservation), every other end releases it all. Unreserved calls
 * (unlimited plans, calls outside a campaign) cost no round trip.
 */
async function settleDial(tx: Transaction, call: CallRow, event: StatusEvent, durationMs: number | null) {
  if (call.reservedCredit <= 0) return;
  await settleCallCredit(tx, call.orgId, [call.id], billableSeconds(durationMs, event.status === "completed"));
}

/**
 * A report applies when it moves the dial forward. The `calling` the dialer already wrote also applies
 * when it brings the jambonz sid: that is how the dialer knows the media node has the call.
 */
function movesForward(event: StatusEvent, dial: { status: CallStatus; jambonzCallSid: string | null } | undefined) {
  const reported = lineProgress(event.status);
  const known = lineProgress(dial?.status);
  if (reported > known) return true;
  return reported === known && !endsDial(event.status) && Boolean(event.jambonz_call_sid) && !dial?.jambonzCallSid;
}

/** Talk time: as reported, else from the answer to the end of an answered dial, else zero. */
function talkTime(event: StatusEvent, answeredAt: Date | null, occurredAt: Date): number | null {
  if (!endsDial(event.status)) return null;
  if (event.duration_ms !== undefined && event.duration_ms !== null) return event.duration_ms;
  if (event.status === "completed" && answeredAt) return Math.max(0, occurredAt.getTime() - answeredAt.getTime());
  return 0;
}

async function upsertDial(
  tx: Transaction,
  call: CallRow,
  event: StatusEvent,
  occurredAt: Date,
  durationMs: number | null,
): Promise<void> {
  const ends = endsDial(event.status);
  const changes = {
    status: event.status,
    ...(event.jambonz_call_sid ? { jambonzCallSid: event.jambonz_call_sid } : {}),
    ...(event.status === "in_progress" ? { answeredAt: occurredAt } : {}),
    ...(ends ? { endedAt: occurredAt, durationMs, hangupCause: event.hangup_cause ?? null } : {}),
  };
  await tx
    .insert(callAttempts)
    .values({
      orgId: call.orgId,
      callId: call.id,
      attemptNumber: event.attempt,
      toNumber: call.toNumber,
      startedAt: occurredAt,
      ...changes,
    })
    .onConflictDoUpdate({ target: [callAttempts.callId, callAttempts.attemptNumber], set: changes });
}

/** calling / ringing / in_progress on the current dial. */
async function progressCall(tx: Transaction, call: CallRow, event: StatusEvent, occurredAt: Date): Promise<void> {
  await tx
    .update(calls)
    .set({
      status: event.status,
      attempts: sql`greatest(${calls.attempts}, ${event.attempt})`,
      startedAt: call.startedAt ?? occurredAt,
      nextAttemptAt: null,
      ...(event.jambonz_call_sid ? { jambonzCallSid: event.jambonz_call_sid } : {}),
      ...(event.status === "in_progress" ? { answeredAt: occurredAt } : {}),
    })
    .where(and(eq(calls.orgId, call.orgId), eq(calls.id, call.id)));
}

/** The current dial ended: complete, fail, retry later or give up. */
async function endDial(
  tx: Transaction,
  call: CallRow,
  event: StatusEvent,
  timing: { occurredAt: Date; durationMs: number | null; now: Date },
): Promise<void> {
  const dialsSoFar = Math.max(call.attempts, event.attempt);
  const common = {
    attempts: dialsSoFar,
    hangupCause: event.hangup_cause ?? null,
    ...(event.jambonz_call_sid ? { jambonzCallSid: event.jambonz_call_sid } : {}),
  };
  const where = and(eq(calls.orgId, call.orgId), eq(calls.id, call.id));
  if (event.status === "completed" || event.status === "failed") {
    await tx
      .update(calls)
      .set({
        ...common,
        status: event.status,
        endedAt: timing.occurredAt,
        durationMs: timing.durationMs,
        billableSeconds: billableSeconds(timing.durationMs, event.status === "completed"),
        nextAttemptAt: null,
        ...(event.status === "failed" ? { result: "failed" as const } : {}),
      })
      .where(where);
    if (event.status === "completed") await analyseCompletedCall(tx, call.orgId, call.id);
    return;
  }
  const decision = decideAfterUnanswered({
    status: event.status as "no_answer" | "busy",
    dialsSoFar,
    maxAttempts: call.maxAttempts,
    policy: await retryPolicy(tx, call),
    now: timing.now,
  });
  await tx
    .update(calls)
    .set(
      decision.kind === "retry"
        ? { ...common, status: decision.status, nextAttemptAt: decision.nextAttemptAt }
        : {
            ...common,
            status: decision.status,
            result: decision.result,
            endedAt: timing.occurredAt,
            durationMs: 0,
            nextAttemptAt: null,
          },
    )
    .where(where);
}

async function retryPolicy(tx: Transaction, call: CallRow) {
  if (!call.campaignId) return null;
  const [campaign] = await tx
    .select({
      retryEnabled: campaigns.retryEnabled,
      retryNoAnswerDelaySeconds: campaigns.retryNoAnswerDelaySeconds,
      retryBusyDelaySeconds: campaigns.retryBusyDelaySeconds,
    })
    .from(campaigns)
    .where(and(eq(campaigns.orgId, call.orgId), eq(campaigns.id, call.campaignId)));
  return campaign ?? null;
}

// ── AMD and turns ────────────────────────────────────────────────────────────────────────────────────

async function applyAmd(tx: Transaction, call: CallRow, event: AmdEvent): Promise<EventOutcome> {
  await tx
    .update(callAttempts)
    .set({ amdResult: event.verdict })
    .where(
      and(
        eq(callAttempts.orgId, call.orgId),
        eq(callAttempts.callId, call.id),
        eq(callAttempts.attemptNumber, event.attempt),
      ),
    );
  if (event.attempt < call.attempts) return NOT_APPLIED;
  await tx
    .update(calls)
    .set({ amdResult: event.verdict })
    .where(and(eq(calls.orgId, call.orgId), eq(calls.id, call.id)));
  // A verdict that lands after completion still decides the result.
  if (call.status === "completed") await analyseCompletedCall(tx, call.orgId, call.id);
  return APPLIED;
}

async function applyTurn(tx: Transaction, call: CallRow, event: TurnEvent): Promise<EventOutcome> {
  const inserted = await tx
    .insert(callTurns)
    .values({
      orgId: call.orgId,
      callId: call.id,
      sequence: event.sequence,
      speaker: event.speaker,
      text: event.text,
      intent: event.intent ?? null,
      confidence: event.confidence ?? null,
      latencyMs: event.latency_ms ?? null,
      spokenAt: new Date(event.occurred_at),
    })
    .onConflictDoNothing({ target: [callTurns.callId, callTurns.sequence] })
    .returning({ id: callTurns.id });
  if (inserted.length === 0) return NOT_APPLIED;
  // The last words often arrive after the hangup: the analysis reads the whole transcript again.
  if (call.status === "completed") await analyseCompletedCall(tx, call.orgId, call.id);
  return APPLIED;
}
