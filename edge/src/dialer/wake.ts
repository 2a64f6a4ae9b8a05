import type { DialerWake } from "../campaigns/lifecycle.js";
import type { AppEnv } from "../env.js";

/**
 * The campaign service's way to wake dialers, bound to this request: the wake runs the dialer's first tick
 * (dials included), which the caller's response does not wait for.
 */
export function dialerWake(env: AppEnv, waitUntil: (work: Promise<unknown>) => void): DialerWake {
  return (campaignId) => waitUntil(wakeDialer(env, campaignId));
}

/**
 * Tells a campaign's CampaignDialer Durable Object to look for work now (after start/resume, after a
 * call ends, after stop). Never throws: the dialer's own alarm is the safety net.
 */
export async function wakeDialer(env: AppEnv, campaignId: string): Promise<void> {
  try {
    const stub = env.CAMPAIGN_DIALER.get(env.CAMPAIGN_DIALER.idFromName(campaignId));
    const response = await stub.fetch("https://dialer/wake", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ campaign_id: campaignId }),
    });
    if (!response.ok) throw new Error(`wake answered ${response.status}`);
  } catch (error) {
    console.error(JSON.stringify({ dialer: campaignId, wake: "failed", error: String(error) }));
  }
}
