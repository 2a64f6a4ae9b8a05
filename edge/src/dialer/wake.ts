import type { LifecycleAction } from "../campaigns/lifecycle.js";
import type { AppEnv } from "../env.js";

/** Actions after which the dialer has something to do: dial (start, resume) or settle (stop). */
export function actionWakesDialer(action: LifecycleAction): boolean {
  return action === "start" || action === "resume" || action === "stop";
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
