import { dialerWake } from "../dialer/wake.js";
import type { AppEnv } from "../env.js";
import { type LivePublisher, livePublisher } from "../live/publish.js";
import { recordingsDiscarder } from "../recordings/discard.js";
import { scheduleWebhookDeliveries } from "../webhooks/emit.js";
import type { DialerWake } from "./lifecycle.js";

/** What a committed campaign action sets off, none of which its response waits for. */
export type CampaignEffects = {
  wakeDialer: DialerWake;
  publish: LivePublisher;
  /** Removes stored recordings whose calls were deleted. */
  discardRecordings: (keys: readonly string[]) => void;
  /** Delivers the webhook events the action queued (edge/src/webhooks). */
  deliverWebhooks: (orgId: string) => void;
};

/** The effects bound to one request (any surface): its bindings and its waitUntil. */
export function campaignEffects(env: AppEnv, waitUntil: (work: Promise<unknown>) => void): CampaignEffects {
  return {
    wakeDialer: dialerWake(env, waitUntil),
    publish: livePublisher(env, waitUntil),
    discardRecordings: recordingsDiscarder(env.RECORDINGS, waitUntil),
    deliverWebhooks: (orgId) => scheduleWebhookDeliveries(env, orgId, waitUntil),
  };
}
