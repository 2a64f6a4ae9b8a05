import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { ObjectDatabase } from "../db/client.js";
import { readEnv } from "../env.js";
import { setAlarmNoLaterThan } from "../shared/alarms.js";
import { webhookConfig } from "./config.js";
import { drainDueDeliveries } from "./delivery.js";

/** The only thing the object stores besides its alarm: which organisation it delivers for. */
const ORG_KEY = "org_id";
/** Between runs close together (retries of a busy organisation) the connection stays open. */
const CONNECTION_IDLE_MS = 30_000;
/** After a run that failed (database unreachable), the next one. */
const ERROR_RETRY_MS = 5_000;
const kickBody = z.object({ org_id: z.uuid() });

/**
 * One per organisation (idFromName(org id)). A kick sets the alarm to now and answers at once, so the request
 * that caused an event never waits for a receiver; the alarm delivers what is due and sets itself for the next
 * retry. The deliveries live in Postgres: an evicted or restarted object, or a second instance, loses nothing,
 * and the claim (SKIP LOCKED plus a lease) keeps two runs from sending the same attempt.
 */
export class WebhookDispatcher extends DurableObject {
  #orgId: string | undefined;
  #database: ObjectDatabase | undefined;

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/kick") return new Response("Not Found", { status: 404 });
    const body = kickBody.safeParse(await request.json().catch(() => null));
    if (!body.success) return new Response("Bad Request", { status: 400 });
    if (this.#orgId !== body.data.org_id) {
      await this.ctx.storage.put(ORG_KEY, body.data.org_id);
      this.#orgId = body.data.org_id;
    }
    await setAlarmNoLaterThan(this.ctx.storage, Date.now());
    return new Response(null, { status: 202 });
  }

  override async alarm(): Promise<void> {
    this.#orgId ??= await this.ctx.storage.get<string>(ORG_KEY);
    if (!this.#orgId) return;
    const env = readEnv(this.env as object);
    this.#database ??= new ObjectDatabase(env, CONNECTION_IDLE_MS);
    try {
      const nextAt = await drainDueDeliveries(this.#database.db, this.#orgId, webhookConfig(env));
      if (nextAt !== null) await setAlarmNoLaterThan(this.ctx.storage, nextAt);
    } catch (error) {
      // Handled here rather than by the platform's alarm retries, which give up after six.
      console.error(JSON.stringify({ webhooks: this.#orgId, error: String(error) }));
      await setAlarmNoLaterThan(this.ctx.storage, Date.now() + ERROR_RETRY_MS);
    }
  }
}
