import { type PlaceCallRequest, placeCallRequest } from "@switchboard/schema";
import type { Database } from "../db/client.js";
import { activity, type CallSnapshot, type LiveEvent } from "../live/events.js";
import {
  type ClaimedCall,
  claimDueCalls,
  failUndialable,
  type RunningClaim,
  recordPlaced,
  rescheduleRefused,
} from "./claims.js";
import { type MediaNodeTarget, placeCall } from "./media-node-client.js";
import { callerIdFor, type DialOutcome, decideRefusal, nextTickAt } from "./plan.js";

export type TickReport = {
  /** When the dialer should look again (epoch ms); null: wait for a wake. */
  nextAt: number | null;
  placed: number;
  refused: number;
  state: "missing" | "not_running" | "completed" | "running";
};

/**
 * One pass of a campaign's dialer: claim what capacity allows, hand the claimed calls to the media node at
 * once, and say when to look again. Everything it needs is read from the database, so any instance, any
 * time, can run it.
 */
export async function runDialerTick(
  db: Database,
  target: DialerTarget,
  campaignId: string,
  announce: LiveAnnounce = async () => {},
  /** Delivers the webhook events a tick queued (campaign.completed), once committed. */
  deliverWebhooks: (orgId: string) => Promise<void> = async () => {},
): Promise<TickReport> {
  const dialable = target.secret !== null;
  if (!dialable) console.error(JSON.stringify({ dialer: campaignId, error: "INTERNAL_API_SECRET is not set" }));
  const claim = await claimDueCalls(db, campaignId, { dialable });
  if (claim.kind === "idle") {
    if (claim.reason === "completed") {
      await announce(claim.orgId, [activity("campaign_completed", { campaignId }), { type: "progress", campaignId }]);
      if (claim.webhookEvents > 0) await deliverWebhooks(claim.orgId);
    }
    return { nextAt: null, placed: 0, refused: 0, state: claim.reason };
  }
  // The claim has committed its calls as `calling`; told before they are dialled, so it precedes their ringing.
  const first = claim.claimed[0];
  if (first) await announce(first.orgId, callingEvents(claim.claimed));
  if (claim.held?.reason === "credit" && claim.held.suspended > 0) {
    await announce(claim.orgId, [{ type: "progress", campaignId }]);
  }

  const placed = await placeClaimed(db, { baseUrl: target.baseUrl, secret: target.secret ?? "" }, claim, announce);
  const nextAt = nextTickAt({
    now: Date.now(),
    active: claim.active,
    dueLeft: claim.dueLeft,
    free: claim.free,
    // Calls held by the account wait for a wake (top-up, activation, a call's end), not for a poll.
    dialable: dialable && claim.inWindow && claim.held === null,
    windowOpensAt: claim.windowOpensAt?.getTime() ?? null,
    nextRetryAt: claim.nextRetryAt?.getTime() ?? null,
  });
  return { nextAt, placed, refused: claim.claimed.length - placed, state: "running" };
}

/** Publishes live events once their change has committed (publishLive, bound to the dialer's env). */
export type LiveAnnounce = (orgId: string, events: LiveEvent[]) => Promise<void>;

function callingEvents(claimed: readonly ClaimedCall[]): LiveEvent[] {
  const events: LiveEvent[] = claimed.map((call) => ({
    type: "call",
    call: {
      id: call.id,
      campaignId: call.campaignId,
      status: "calling",
      result: null,
      amdResult: null,
      durationMs: null,
      attempts: call.attempt,
      hangupCause: null,
    },
  }));
  const campaignId = claimed[0]?.campaignId;
  return campaignId ? [...events, { type: "progress", campaignId }] : events;
}

/** Where dials go; a null secret means dialling is not configured (calls wait, nothing is placed). */
export type DialerTarget = { baseUrl: string; secret: string | null };

/** Dials every claimed call in parallel; the accepted ones are recorded in one statement. */
async function placeClaimed(
  db: Database,
  target: MediaNodeTarget,
  claim: RunningClaim,
  announce: LiveAnnounce,
): Promise<number> {
  const outcomes = await Promise.all(
    claim.claimed.map(async (call) => ({ call, outcome: await dial(target, call, claim.callerNumbers) })),
  );
  const accepted = outcomes.flatMap(({ call, outcome }) =>
    outcome.kind === "placed" ? [{ call, jambonzCallSid: outcome.jambonzCallSid }] : [],
  );
  await recordPlaced(db, accepted);
  const refused: LiveEvent[] = [];
  for (const { call, outcome } of outcomes) {
    if (outcome.kind === "placed") continue;
    const snapshot = await handleRefusal(db, call, outcome);
    if (snapshot) refused.push({ type: "call", call: snapshot });
  }
  // Subscribers saw these calls go `calling`: tell them where each went back to (or that it failed).
  const first = claim.claimed[0];
  if (refused.length > 0 && first) {
    await announce(first.orgId, [...refused, { type: "progress", campaignId: first.campaignId }]);
  }
  return accepted.length;
}

async function dial(target: MediaNodeTarget, call: ClaimedCall, callerNumbers: string[]): Promise<DialOutcome> {
  const request = placeCallRequest.safeParse(placeRequestFor(call, callerNumbers));
  if (!request.success) {
    return { kind: "rejected", reason: `not dialable: ${request.error.issues[0]?.message ?? "invalid request"}` };
  }
  return placeCall(target, request.data);
}

/** Fails or reschedules a refused dial; the call's new line state once committed, or null if an event won. */
async function handleRefusal(
  db: Database,
  call: ClaimedCall,
  outcome: Exclude<DialOutcome, { kind: "placed" }>,
): Promise<CallSnapshot | null> {
  const decision = decideRefusal(outcome, call.refusals);
  console.error(JSON.stringify({ dialer: call.campaignId, call: call.id, refusal: outcome.reason, decision }));
  if (decision.kind === "fail") return failUndialable(db, call, outcome.reason);
  return rescheduleRefused(db, call, decision.delaySeconds);
}

function placeRequestFor(call: ClaimedCall, callerNumbers: string[]): PlaceCallRequest {
  return {
    call_id: call.id,
    org_id: call.orgId,
    campaign_id: call.campaignId,
    attempt: call.attempt,
    to: call.toNumber,
    from: callerIdFor(call, callerNumbers),
    amd: true,
  };
}
