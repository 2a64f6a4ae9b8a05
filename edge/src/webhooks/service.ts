import { webhookDeliveries, webhooks } from "@switchboard/schema";
import { and, desc, eq, inArray, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.js";
import { NotFoundError, ValidationError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { parseInput } from "../shared/validate.js";
import type { WebhookConfig } from "./config.js";
import { deliveryBody, TEST_EVENT_NAME, WEBHOOK_EVENT_NAMES } from "./events.js";
import { sendSigned } from "./send.js";
import { newWebhookSecret } from "./signature.js";
import { checkWebhookTarget } from "./target.js";

export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type DeliveryStatus = WebhookDeliveryRow["status"];

/** A webhook's secret is only ever returned by its registration. */
export type RegisteredWebhook = { webhook: WebhookRow; secret: string };

export const MAX_WEBHOOKS_PER_ORG = 50;
export const MAX_DELIVERIES_PAGE = 200;

const registerInput = z.object({
  url: z.string().trim().min(1).max(2048),
  events: z
    .array(z.enum(WEBHOOK_EVENT_NAMES))
    .min(1, "Subscribe to at least one event")
    .max(WEBHOOK_EVENT_NAMES.length),
  description: z.string().trim().max(500).optional(),
});

/**
 * Registers a URL for the organisation's events, or, when the organisation has already registered that URL,
 * replaces its subscription (and reactivates it), keeping its secret. The target must pass the SSRF check.
 */
export async function registerWebhook(
  db: Database,
  orgId: string,
  input: unknown,
  config: WebhookConfig,
): Promise<RegisteredWebhook> {
  const fields = parseInput(registerInput, input, "Invalid webhook");
  const url = assertAllowedTarget(fields.url, config);
  await assertRoomForOne(db, orgId, url);
  const events = [...new Set(fields.events)];
  const [row] = await db
    .insert(webhooks)
    .values({
      orgId,
      url,
      events,
      secret: newWebhookSecret(),
      description: fields.description ?? null,
    })
    .onConflictDoUpdate({
      target: [webhooks.orgId, webhooks.url],
      set: { events, active: true, description: fields.description ?? null, updatedAt: new Date() },
    })
    .returning();
  if (!row) throw new Error("webhook upsert returned nothing");
  return { webhook: row, secret: row.secret };
}

/** The URL as stored (the parser's spelling), or a 4xx naming why the SSRF rule refuses it. */
function assertAllowedTarget(raw: string, config: WebhookConfig): string {
  const target = checkWebhookTarget(raw, config.allowList);
  if (!target.ok)
    throw new ValidationError(`Webhook URL refused: ${target.reason}`, [{ path: ["url"], message: target.reason }]);
  return target.url.href;
}

async function assertRoomForOne(db: Database, orgId: string, url: string): Promise<void> {
  const rows = await db.select({ url: webhooks.url }).from(webhooks).where(eq(webhooks.orgId, orgId));
  if (rows.length >= MAX_WEBHOOKS_PER_ORG && !rows.some((row) => row.url === url)) {
    throw new ValidationError(`An organisation may register at most ${MAX_WEBHOOKS_PER_ORG} webhooks`);
  }
}

export function listWebhooks(db: Database, orgId: string): Promise<WebhookRow[]> {
  return db.select().from(webhooks).where(eq(webhooks.orgId, orgId)).orderBy(webhooks.createdAt, webhooks.id);
}

export function webhooksByIds(db: Database, orgId: string, ids: string[]): Promise<WebhookRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.orgId, orgId), inArray(webhooks.id, valid)));
}

export type WebhookRef = { id: string } | { url: string };

export async function findWebhook(db: Database, orgId: string, ref: WebhookRef): Promise<WebhookRow> {
  const match =
    "url" in ref ? eq(webhooks.url, normalisedUrl(ref.url)) : isUuid(ref.id) ? eq(webhooks.id, ref.id) : null;
  const [row] = match
    ? await db
        .select()
        .from(webhooks)
        .where(and(eq(webhooks.orgId, orgId), match))
    : [];
  if (!row) throw new NotFoundError("url" in ref ? `Webhook ${ref.url}` : `Webhook ${ref.id}`);
  return row;
}

/** Deleting a webhook deletes its delivery log with it. */
export async function deleteWebhook(db: Database, orgId: string, id: string): Promise<WebhookRow> {
  const row = await findWebhook(db, orgId, { id });
  await db.delete(webhooks).where(and(eq(webhooks.orgId, orgId), eq(webhooks.id, row.id)));
  return row;
}

export type WebhookTestResult = {
  success: boolean;
  statusCode: number | null;
  response: string | null;
  error: string | null;
};

/**
 * Sends a signed `webhook.test` event to one of the organisation's webhooks now and reports the receiver's answer.
 * The caller asked for that answer, so this one send is synchronous; it is not retried nor logged.
 */
export async function testWebhook(
  db: Database,
  orgId: string,
  ref: WebhookRef,
  config: WebhookConfig,
): Promise<WebhookTestResult> {
  if ("url" in ref) assertAllowedTarget(ref.url, config);
  const webhook = await findWebhook(db, orgId, ref);
  const deliveryId = crypto.randomUUID();
  const body = deliveryBody(TEST_EVENT_NAME, new Date(), {
    webhook_id: webhook.id,
    message: "Switchboard webhook test",
    events: webhook.events,
  });
  const outcome = await sendSigned(
    { url: webhook.url, secret: webhook.secret, event: TEST_EVENT_NAME, deliveryId, body },
    config,
  );
  return { success: outcome.ok, statusCode: outcome.status, response: outcome.response, error: outcome.error };
}

/**
 * Queues a delivery again, whatever became of it (delivered, dead letter or still retrying): a fresh round of
 * attempts, sent with the same body. The caller schedules the dispatcher after this returns.
 */
export async function replayDelivery(db: Database, orgId: string, id: string): Promise<WebhookDeliveryRow> {
  if (!isUuid(id)) throw new NotFoundError(`Webhook delivery ${id}`);
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: "pending", attempts: 0, nextAttemptAt: new Date(), lastError: null, deliveredAt: null })
    .where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.id, id)))
    .returning();
  if (!row) throw new NotFoundError(`Webhook delivery ${id}`);
  return row;
}

export type DeliveryFilter = {
  webhookId?: string | undefined;
  status?: DeliveryStatus | undefined;
  event?: string | undefined;
  /** Only deliveries created before this one (keyset paging, newest first). */
  before?: Date | undefined;
  limit: number;
};

/** The organisation's delivery log, newest first. */
export function listDeliveries(db: Database, orgId: string, filter: DeliveryFilter): Promise<WebhookDeliveryRow[]> {
  if (filter.webhookId !== undefined && !isUuid(filter.webhookId)) return Promise.resolve([]);
  const conditions: SQL[] = [eq(webhookDeliveries.orgId, orgId)];
  if (filter.webhookId) conditions.push(eq(webhookDeliveries.webhookId, filter.webhookId));
  if (filter.status) conditions.push(eq(webhookDeliveries.status, filter.status));
  if (filter.event) conditions.push(eq(webhookDeliveries.event, filter.event));
  if (filter.before) conditions.push(lt(webhookDeliveries.createdAt, filter.before));
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(Math.min(Math.max(1, filter.limit), MAX_DELIVERIES_PAGE));
}

export function deliveriesByIds(db: Database, orgId: string, ids: string[]): Promise<WebhookDeliveryRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.orgId, orgId), inArray(webhookDeliveries.id, valid)));
}

/** URLs are stored as the URL parser writes them, so a lookup must spell them the same way. */
function normalisedUrl(raw: string): string {
  try {
    return new URL(raw).href;
  } catch {
    return raw;
  }
}
