import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { ObjectDatabase } from "../db/client.js";
import { readEnv } from "../env.js";
import { publishLive } from "../live/publish.js";
import { setAlarmNoLaterThan } from "../shared/alarms.js";
import { kickWebhookDispatcher } from "../webhooks/emit.js";
import { ERROR_RETRY_MS } from "./plan.js";
import { runDialerTick } from "./tick.js";

/** The only thing the object stores besides its alarm: which campaign it dials (it has no other name). */
const CAMPAIGN_KEY = "campaign_id";
/** Between ticks of a running campaign (at most ACTIVE_POLL_MS apart) the connection stays open. */
const CONNECTION_IDLE_MS = 30_000;
const wakeBody = z.object({ campaign_id: z.uuid() });

/**
 * One per campaign (idFromName(campaign id)). A wake runs a tick at once (a call's end → the next dial
 * without waiting for an alarm); each tick schedules the next as an alarm. Ticks may overlap: the claim
 * serialises them on the campaign's row lock. Every decision is made from the database, so eviction, a
 * restart or a second instance loses nothing and dials nothing twice.
 */
export class CampaignDialer extends DurableObject {
  #campaignId: string | undefined;
  #database: ObjectDatabase | undefined;

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/wake") return new Response("Not Found", { status: 404 });
    const body = wakeBody.safeParse(await request.json().catch(() => null));
    if (!body.success) return new Response("Bad Request", { status: 400 });
    if (this.#campaignId !== body.data.campaign_id) {
      await this.ctx.storage.put(CAMPAIGN_KEY, body.data.campaign_id);
      this.#campaignId = body.data.campaign_id;
    }
    await this.tick(body.data.campaign_id);
    return new Response(null, { status: 202 });
  }

  override async alarm(): Promise<void> {
    this.#campaignId ??= await this.ctx.storage.get<string>(CAMPAIGN_KEY);
    if (this.#campaignId) await this.tick(this.#campaignId);
  }

  private async tick(campaignId: string): Promise<void> {
    const env = readEnv(this.env as object);
    this.#database ??= new ObjectDatabase(env, CONNECTION_IDLE_MS);
    const target = { baseUrl: env.MEDIA_NODE_URL, secret: env.INTERNAL_API_SECRET ?? null };
    try {
      const report = await runDialerTick(
        this.#database.db,
        target,
        campaignId,
        (orgId, events) => publishLive(env, orgId, events),
        (orgId) => kickWebhookDispatcher(env, orgId),
      );
      if (report.nextAt !== null) await setAlarmNoLaterThan(this.ctx.storage, report.nextAt);
    } catch (error) {
      // Handled here rather than by the platform's alarm retries, which give up after six.
      console.error(JSON.stringify({ dialer: campaignId, error: String(error) }));
      await setAlarmNoLaterThan(this.ctx.storage, Date.now() + ERROR_RETRY_MS);
    }
  }
}
