import type { AppEnv } from "../env.js";

/**
 * Tells a campaign's CampaignDialer Durable Object to look for work now (after start/resume, after a
 * call ends, after stop). Never throws: the dialer's own alarm is the safety net.
 * Implemented with the dialer; until then it does nothing.
 */
export async function wakeDialer(_env: AppEnv, _campaignId: string): Promise<void> {}
