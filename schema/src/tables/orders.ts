import { index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { interventionStatus, interventionType, orderStatus, paymentStatus } from "../enums.js";
import { conversations } from "./chat.js";
import { at, createdAt, id, orgId, updatedAt } from "./columns.js";

/** A Botlive order, filled slot by slot: produit, paiement, zone, numero. */
export const orders = pgTable(
  "orders",
  {
    id: id(),
    orgId: orgId(),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    /** The customer's channel id, e.g. a WhatsApp number. */
    customerRef: text("customer_ref").notNull(),
    customerName: text("customer_name"),
    product: text("product"),
    paymentStatus: paymentStatus("payment_status").notNull().default("none"),
    amountPaid: integer("amount_paid"),
    requiredDeposit: integer("required_deposit").notNull().default(2000),
    paymentReference: text("payment_reference"),
    zone: text("zone"),
    deliveryFee: integer("delivery_fee"),
    /** Local 10-digit form, `0XXXXXXXXX`. */
    phone: text("phone"),
    /** Where each filled slot came from (MESSAGE, VISION, TRANSACTIONS), as Botlive's order_status shows it. */
    slotSources: jsonb("slot_sources").$type<Record<string, string>>().notNull().default({}),
    completionRate: integer("completion_rate").notNull().default(0),
    status: orderStatus("status").notNull().default("in_progress"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: at("completed_at"),
  },
  (t) => [
    index("orders_org_status_idx").on(t.orgId, t.status, t.createdAt),
    index("orders_org_customer_idx").on(t.orgId, t.customerRef),
  ],
);

export const interventions = pgTable(
  "interventions",
  {
    id: id(),
    orgId: orgId(),
    orderId: uuid("order_id").references(() => orders.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    customerRef: text("customer_ref").notNull(),
    type: interventionType("type").notNull(),
    message: text("message").notNull(),
    status: interventionStatus("status").notNull().default("open"),
    createdAt: createdAt(),
    resolvedAt: at("resolved_at"),
  },
  (t) => [index("interventions_org_status_idx").on(t.orgId, t.status, t.createdAt)],
);
