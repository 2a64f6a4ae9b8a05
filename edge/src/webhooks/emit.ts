import { webhookDeliveries, webhooks } from "@switchboard/schema";
import { sql } from "drizzle-orm";
import type { Database, Transaction } from "../db/client.js";
import type { AppEnv } from "../env.js";
import type { WebhookEventName } from "./events.js";

export type { WebhookEventName } from "./events.js";

export type WebhookEvent = {
  orgId: string;
  name: WebhookEventName;
  /** The event's `data`, as the receiver gets it. */
  payload: Record<string, unknown>;
  /** Names the source event: emitting it again (a replayed request) adds no delivery. */
  idempotencyKey: string;
};

/**
 * Queues one pending delivery per active webhook of the organisation subscribed to the event. Call it inside the
 * transaction that makes the change, so the event exists exactly when the change does; then, after commit,
 * scheduleWebhookDeliveries. Returns how many deliveries were queued.
 */
export async function emitWebhookEvent(db: Database | Transaction, event: WebhookEvent): Promise<number> {
  const result = await db.execute(sql`
    insert into ${webhookDeliveries} (org_id, webhook_id, event, payload, idempotency_key, status, next_attempt_at)
    select ${webhooks.orgId}, ${webhooks.id}, ${event.name}, ${JSON.stringify(event.payload)}::jsonb,
      ${event.idempotencyKey}, 'pending', now()
    from ${webhooks}
    where ${webhooks.orgId} = ${event.orgId} and ${webhooks.active} and ${event.name} = any(${webhooks.events})
    on conflict (webhook_id, idempotency_key) do nothing`);
  return result.rowCount ?? 0;
}

/**
 * After commit: tells the organisation's WebhookDispatcher to deliver what is due. The request does not wait for
 * it; should the nudge be lost, the deliveries stay pending in the database for the dispatcher's next run.
 */
export function scheduleWebhookDeliveries(env: AppEnv, orgId: string, waitUntil: (p: Promise<unknown>) => void): void {
  waitUntil(kickWebhookDispatcher(env, orgId));
}

/** Never throws: a lost nudge delays deliveries, it must not fail the caller. */
export async function kickWebhookDispatcher(env: AppEnv, orgId: string): Promise<void> {
  try {
    const stub = env.WEBHOOK_DISPATCHER.get(env.WEBHOOK_DISPATCHER.idFromName(orgId));
    const response = await stub.fetch("https://webhook-dispatcher/kick", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ org_id: orgId }),
    });
    if (!response.ok) throw new Error(`dispatcher answered ${response.status}`);
  } catch (error) {
    console.error(JSON.stringify({ webhooks: orgId, kick: "failed", error: String(error) }));
  }
}
