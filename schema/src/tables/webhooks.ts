import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { deliveryStatus } from "../enums.js";
import { at, createdAt, id, orgId, updatedAt } from "./columns.js";

export const webhooks = pgTable(
  "webhooks",
  {
    id: id(),
    orgId: orgId(),
    url: text("url").notNull(),
    events: text("events").array().notNull().default(sql`'{}'::text[]`),
    /** HMAC key for the signature header; shown to the owner once. */
    secret: text("secret").notNull(),
    active: boolean("active").notNull().default(true),
    description: text("description"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("webhooks_org_active_idx").on(t.orgId, t.active),
    /** Registering a URL again updates its subscription (N8N registers on every workflow activation). */
    uniqueIndex("webhooks_org_url").on(t.orgId, t.url),
  ],
);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    orgId: orgId(),
    webhookId: uuid("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    event: text("event").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    /** One delivery per webhook and source event, however often the event is replayed. */
    idempotencyKey: text("idempotency_key").notNull(),
    status: deliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: at("next_attempt_at"),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    deliveredAt: at("delivered_at"),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_webhook_idempotency_key").on(t.webhookId, t.idempotencyKey),
    index("webhook_deliveries_org_status_idx").on(t.orgId, t.status, t.nextAttemptAt),
  ],
);
