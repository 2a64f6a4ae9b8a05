import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { readEnv } from "../env.js";
import { ERROR_RETRY_MS } from "./plan.js";
import { runDialerTick } from "./tick.js";

/** The only thing the object stores besides its alarm: which campaign it dials (it has no other name). */
const CAMPAIGN_KEY = "campaign_id";
const wakeBody = z.object({ campaign_id: z.uuid() });

/**
 * One per campaign (idFromName(campaign id)). A wake schedules an immediate alarm; each alarm runs one tick
 * and schedules the next. Every decision is made from the database, so eviction, a restart or a second
 * instance loses nothing and dials nothing twice.
 */
export class CampaignDialer extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/wake") return new Response("Not Found", { status: 404 });
    const body = wakeBody.safeParse(await request.json().catch(() => null));
    if (!body.success) return new Response("Bad Request", { status: 400 });
    await this.ctx.storage.put(CAMPAIGN_KEY, body.data.campaign_id);
    await this.scheduleNoLaterThan(Date.now());
    return new Response(null, { status: 202 });
  }

  override async alarm(): Promise<void> {
    const campaignId = await this.ctx.storage.get<string>(CAMPAIGN_KEY);
    if (!campaignId) return;
    try {
      const report = await runDialerTick(readEnv(this.env as object), campaignId);
      if (report.nextAt !== null) await this.scheduleNoLaterThan(report.nextAt);
    } catch (error) {
      // Handled here rather than by the platform's alarm retries, which give up after six.
      console.error(JSON.stringify({ dialer: campaignId, error: String(error) }));
      await this.scheduleNoLaterThan(Date.now() + ERROR_RETRY_MS);
    }
  }

  /**
   * Keeps the earlier of the set alarm and `at`. Inside alarm() getAlarm() is null unless a wake set one
   * meanwhile, and that wake's immediate alarm must survive the tick's later one.
   */
  private async scheduleNoLaterThan(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
