import { type PlaceCallRequest, placeCallRequest } from "@switchboard/schema";
import { RequestDatabase } from "../db/client.js";
import type { AppEnv } from "../env.js";
import { type ClaimedCall, claimDueCalls, failUndialable, recordPlaced, rescheduleRefused } from "./claims.js";
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
 * One pass of a campaign's dialer: claim what capacity allows, hand each claimed call to the media node,
 * and say when to look again. Everything it needs is read from the database, so any instance, any time,
 * can run it.
 */
export async function runDialerTick(env: AppEnv, campaignId: string): Promise<TickReport> {
  const database = new RequestDatabase(env);
  try {
    const secret = env.INTERNAL_API_SECRET;
    if (!secret) console.error(JSON.stringify({ dialer: campaignId, error: "INTERNAL_API_SECRET is not set" }));
    const claim = await claimDueCalls(database.db, campaignId, { dialable: Boolean(secret) });
    if (claim.kind === "idle") return { nextAt: null, placed: 0, refused: 0, state: claim.reason };

    const target: MediaNodeTarget = { baseUrl: env.MEDIA_NODE_URL, secret: secret ?? "" };
    const outcomes = await Promise.all(
      claim.claimed.map((call) => dialOne(database, target, call, claim.callerNumbers)),
    );
    const placed = outcomes.filter((outcome) => outcome === "placed").length;
    const nextAt = nextTickAt({
      now: Date.now(),
      active: claim.active,
      dueLeft: claim.dueLeft,
      free: claim.free,
      dialable: Boolean(secret) && claim.inWindow,
      windowOpensAt: claim.windowOpensAt?.getTime() ?? null,
      nextRetryAt: claim.nextRetryAt?.getTime() ?? null,
    });
    return { nextAt, placed, refused: outcomes.length - placed, state: "running" };
  } finally {
    await database.close();
  }
}

async function dialOne(
  database: RequestDatabase,
  target: MediaNodeTarget,
  call: ClaimedCall,
  callerNumbers: string[],
): Promise<DialOutcome["kind"]> {
  const request = placeCallRequest.safeParse(placeRequestFor(call, callerNumbers));
  const outcome: DialOutcome = request.success
    ? await placeCall(target, request.data)
    : { kind: "rejected", reason: `not dialable: ${request.error.issues[0]?.message ?? "invalid request"}` };
  if (outcome.kind === "placed") {
    await recordPlaced(database.db, call, outcome.jambonzCallSid);
    return "placed";
  }
  const decision = decideRefusal(outcome, call.refusals);
  console.error(JSON.stringify({ dialer: call.campaignId, call: call.id, refusal: outcome.reason, decision }));
  if (decision.kind === "fail") await failUndialable(database.db, call, outcome.reason);
  else await rescheduleRefused(database.db, call, decision.delaySeconds);
  return outcome.kind;
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
