/** Every event a webhook can subscribe to: Botlive's order events and MiniBotPanel's campaign and call events. */
export const WEBHOOK_EVENT_NAMES = [
  "order_completed",
  "payment_validated",
  "intervention_required",
  "campaign.started",
  "campaign.completed",
  "call.lead",
  "call.completed",
] as const;

export type WebhookEventName = (typeof WEBHOOK_EVENT_NAMES)[number];

/** What Botlive's N8N workflows subscribe to when their registration names no events. */
export const BOTLIVE_EVENT_NAMES: readonly WebhookEventName[] = [
  "order_completed",
  "payment_validated",
  "intervention_required",
];

/** The event a test send carries; no subscription is needed to receive it. */
export const TEST_EVENT_NAME = "webhook.test";

/**
 * The body every delivery posts, Botlive's documented shape: `{ event, timestamp, data }`. The timestamp is when
 * the event happened (not when this attempt was sent), so retries and replays post the same bytes.
 */
export function deliveryBody(event: string, occurredAt: Date, data: Record<string, unknown>): string {
  return JSON.stringify({ event, timestamp: isoSeconds(occurredAt), data });
}

/** `2025-10-22T09:00:00Z`, as Botlive's examples write timestamps. */
export function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}
