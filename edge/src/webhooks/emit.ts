// PLACEHOLDER (chat branch): the webhooks helper owns edge/src/webhooks/. This file only carries the agreed
// signatures so the chat and orders code compile; it inserts nothing and delivers nothing. Discard at merge.
import type { Database, Transaction } from "../db/client.js";
import type { AppEnv } from "../env.js";

export type WebhookEventName =
  | "order_completed"
  | "payment_validated"
  | "intervention_required"
  | "campaign.started"
  | "campaign.completed"
  | "call.lead"
  | "call.completed";

export type WebhookEvent = {
  orgId: string;
  name: WebhookEventName;
  payload: Record<string, unknown>;
  idempotencyKey: string;
};

/** PLACEHOLDER: queues nothing. */
export async function emitWebhookEvent(_db: Database | Transaction, _event: WebhookEvent): Promise<number> {
  return 0;
}

/** PLACEHOLDER: kicks nothing. */
export function scheduleWebhookDeliveries(
  _env: AppEnv,
  _orgId: string,
  _waitUntil: (p: Promise<unknown>) => void,
): void {}
