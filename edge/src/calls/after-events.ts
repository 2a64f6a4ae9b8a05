import type { RequestDatabase } from "../db/client.js";
import { wakeDialer } from "../dialer/wake.js";
import type { AppEnv } from "../env.js";
import { livePublisher } from "../live/publish.js";
import { scheduleWebhookDeliveries } from "../webhooks/emit.js";
import type { EventOutcome } from "./events.js";
import { refineAnalysisWithLlm } from "./post-call.js";

/** The request the events arrived in: its bindings, connection, waitUntil and error log. */
export type EventRequest = {
  env: AppEnv;
  database: RequestDatabase;
  waitUntil: (work: Promise<unknown>) => void;
  logError: (error: unknown) => void;
};

/**
 * What a call's committed events set off, none of which the media node's answer waits for: live subscribers
 * hear of them, the campaign's dialer refills the freed slots, webhooks are delivered, and a completed call's rules analysis is
 * refined by the model when one is configured.
 */
export function afterCallEvents(request: EventRequest, callId: string, outcomes: readonly EventOutcome[]): void {
  const live = outcomes.flatMap((outcome) => (outcome.live ? [outcome.live] : []));
  if (live[0])
    livePublisher(request.env, request.waitUntil)(
      live[0].orgId,
      live.flatMap((each) => each.events),
    );
  const campaigns = new Set(outcomes.flatMap((outcome) => (outcome.wakeCampaignId ? [outcome.wakeCampaignId] : [])));
  for (const campaignId of campaigns) request.waitUntil(wakeDialer(request.env, campaignId));
  const webhookOrg = outcomes.find((outcome) => outcome.webhooksOrgId)?.webhooksOrgId;
  if (webhookOrg) scheduleWebhookDeliveries(request.env, webhookOrg, request.waitUntil);
  if (!outcomes.some((outcome) => outcome.applied) || !request.env.LLM_BASE_URL) return;
  const refined = refineAnalysisWithLlm(request.database.db, request.env, callId).catch(request.logError);
  request.database.keepOpenUntil(refined);
  request.waitUntil(refined);
}
