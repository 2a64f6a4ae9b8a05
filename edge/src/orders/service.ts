import { conversations, interventions, orders } from "@switchboard/schema";
import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Database, Transaction } from "../db/client.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";
import { uuidEquals } from "../shared/ids.js";
import { emitWebhookEvent } from "../webhooks/emit.js";
import { companyIdOf } from "./company.js";
import type { ExtractedSlots } from "./extract.js";
import { completionRate, filledSlots, orderProgress } from "./progress.js";

/**
 * Botlive orders: one open order per customer, filled slot by slot from what the engine extracted. Every change
 * that a webhook announces (payment_validated, intervention_required, order_completed) is emitted in the same
 * transaction, so the event exists exactly when the change does.
 */

type Db = Database | Transaction;
export type Order = typeof orders.$inferSelect;
export type Intervention = typeof interventions.$inferSelect;
export type InterventionType = Intervention["type"];

/** Events the caller reports (after commit it schedules the webhook deliveries). */
export type OrderChanges = {
  order: Order;
  paymentValidated: boolean;
  completed: boolean;
  interventions: Intervention[];
};

export async function findOpenOrder(db: Db, orgId: string, customerRef: string): Promise<Order | null> {
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.orgId, orgId), eq(orders.customerRef, customerRef), eq(orders.status, "in_progress")))
    .orderBy(desc(orders.createdAt))
    .limit(1);
  return order ?? null;
}

/** The customer's open order, or their latest one (a completed order still shows as complete). */
export async function latestOrder(db: Db, orgId: string, customerRef: string): Promise<Order | null> {
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.orgId, orgId), eq(orders.customerRef, customerRef), sql`${orders.status} <> 'cancelled'`))
    .orderBy(desc(orders.createdAt))
    .limit(1);
  return order ?? null;
}

type SlotUpdate = Partial<Order> & { slotSources: Record<string, string> };

/** New slot values; a validated payment is never downgraded, a shortfall tops up the amount already received. */
function slotUpdate(order: Order, slots: ExtractedSlots): { update: SlotUpdate; shortfall: number | null } {
  const update: SlotUpdate = { slotSources: { ...order.slotSources } };
  let shortfall: number | null = null;
  if (slots.product) {
    update.product = slots.product.name;
    update.slotSources.produit = slots.product.source;
  }
  if (slots.payment && order.paymentStatus !== "validated") {
    const sameProof = slots.payment.reference !== null && slots.payment.reference === order.paymentReference;
    const already = order.paymentStatus === "insufficient" && !sameProof ? (order.amountPaid ?? 0) : 0;
    const received = sameProof ? (order.amountPaid ?? 0) : already + slots.payment.amount;
    update.amountPaid = received;
    update.paymentReference = slots.payment.reference ?? order.paymentReference;
    update.slotSources.paiement = slots.payment.source;
    if (received >= order.requiredDeposit) update.paymentStatus = "validated";
    else {
      update.paymentStatus = "insufficient";
      shortfall = received;
    }
  }
  if (slots.zone) {
    update.zone = slots.zone.expedition ? `${slots.zone.zone} (expédition)` : slots.zone.zone;
    update.deliveryFee = slots.zone.fee;
    update.slotSources.zone = "MESSAGE";
  }
  if (slots.phone) {
    update.phone = slots.phone;
    update.slotSources.numero = "MESSAGE";
  }
  return { update, shortfall };
}

function hasAnySlot(slots: ExtractedSlots): boolean {
  return Boolean(slots.product || slots.payment || slots.zone || slots.phone);
}

/**
 * Applies a message's slots to the customer's open order (opening one when the message fills a slot). Raises a
 * payment_issue intervention on an insufficient deposit and completes the order when all four slots are filled.
 */
export async function applySlots(
  tx: Transaction,
  orgId: string,
  input: { customerRef: string; customerName: string | null; conversationId: string; slots: ExtractedSlots },
): Promise<OrderChanges | null> {
  let order = await findOpenOrder(tx, orgId, input.customerRef);
  if (!order && !hasAnySlot(input.slots)) return null;
  if (!order) {
    const [created] = await tx
      .insert(orders)
      .values({
        orgId,
        customerRef: input.customerRef,
        customerName: input.customerName,
        conversationId: input.conversationId,
      })
      .returning();
    if (!created) throw new Error("order insert returned nothing");
    order = created;
  }
  const { update, shortfall } = slotUpdate(order, input.slots);
  const merged = { ...order, ...update };
  const filled = filledSlots(merged);
  const rate = completionRate(filled);
  const completed = rate === 100;
  const [saved] = await tx
    .update(orders)
    .set({
      ...update,
      ...(input.customerName ? { customerName: input.customerName } : {}),
      completionRate: rate,
      ...(completed ? { status: "completed" as const, completedAt: new Date() } : {}),
    })
    .where(and(eq(orders.orgId, orgId), eq(orders.id, order.id)))
    .returning();
  if (!saved) throw new Error("order update returned nothing");
  const raised: Intervention[] = [];
  if (shortfall !== null) {
    const message = `Montant insuffisant: ${shortfall} FCFA reçu, ${saved.requiredDeposit} FCFA requis`;
    raised.push(await raiseIntervention(tx, orgId, { order: saved, type: "payment_issue", message }));
  }
  const paymentValidated = order.paymentStatus !== "validated" && saved.paymentStatus === "validated";
  if (paymentValidated) await emitPaymentValidated(tx, saved);
  if (completed) await emitOrderCompleted(tx, saved, input.customerRef);
  return { order: saved, paymentValidated, completed, interventions: raised };
}

async function emitPaymentValidated(tx: Transaction, order: Order): Promise<void> {
  await emitWebhookEvent(tx, {
    orgId: order.orgId,
    name: "payment_validated",
    payload: {
      user_id: order.customerRef,
      amount: order.amountPaid,
      currency: "FCFA",
      reference: order.paymentReference,
    },
    idempotencyKey: `payment_validated:${order.id}`,
  });
}

async function emitOrderCompleted(tx: Transaction, order: Order, customerRef: string): Promise<void> {
  const company = await companyIdOf(tx, order.orgId);
  await emitWebhookEvent(tx, {
    orgId: order.orgId,
    name: "order_completed",
    payload: { user_id: customerRef, company_id: company, order_status: orderProgress(order).orderStatus },
    idempotencyKey: `order_completed:${order.id}`,
  });
}

/** Opens an intervention and announces it (intervention_required). */
export async function raiseIntervention(
  tx: Db,
  orgId: string,
  input: {
    order: Order | null;
    type: InterventionType;
    message: string;
    customerRef?: string;
    conversationId?: string | null;
  },
): Promise<Intervention> {
  const customerRef = input.order?.customerRef ?? input.customerRef ?? "";
  const [intervention] = await tx
    .insert(interventions)
    .values({
      orgId,
      orderId: input.order?.id ?? null,
      conversationId: input.order?.conversationId ?? input.conversationId ?? null,
      customerRef,
      type: input.type,
      message: input.message,
    })
    .returning();
  if (!intervention) throw new Error("intervention insert returned nothing");
  await emitWebhookEvent(tx, {
    orgId,
    name: "intervention_required",
    payload: { user_id: customerRef, type: input.type, message: input.message },
    idempotencyKey: `intervention_required:${intervention.id}`,
  });
  return intervention;
}

/** In-progress orders, newest first. */
export async function listActiveOrders(db: Db, orgId: string, limit: number): Promise<Order[]> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.orgId, orgId), eq(orders.status, "in_progress")))
    .orderBy(desc(orders.updatedAt))
    .limit(limit);
}

export async function countActiveOrders(db: Db, orgId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(orders)
    .where(and(eq(orders.orgId, orgId), eq(orders.status, "in_progress")));
  return row?.count ?? 0;
}

/** An order below 100 % for this long needs a human (LEGACY-NOTES). */
export const STUCK_AFTER_MS = 30 * 60_000;

/** Raises stuck_order for open orders idle over 30 minutes that have no open one yet; returns how many. */
export async function flagStuckOrders(tx: Transaction, orgId: string, now = new Date()): Promise<number> {
  const stuck = await tx
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.orgId, orgId),
        eq(orders.status, "in_progress"),
        lt(orders.updatedAt, new Date(now.getTime() - STUCK_AFTER_MS)),
        sql`not exists (select 1 from ${interventions} i where i.org_id = ${orgId} and i.order_id = ${orders.id}
          and i.type = 'stuck_order' and i.status = 'open')`,
      ),
    );
  for (const order of stuck) {
    const message = `Commande bloquée à ${order.completionRate}% depuis plus de 30 minutes`;
    await raiseIntervention(tx, orgId, { order, type: "stuck_order", message });
  }
  return stuck.length;
}

export type InterventionWithOrder = { intervention: Intervention; order: Order | null };

/** Open interventions, newest first, with the order each is about. */
export async function listOpenInterventions(db: Db, orgId: string, limit: number): Promise<InterventionWithOrder[]> {
  const rows = await db
    .select({ intervention: interventions, order: orders })
    .from(interventions)
    .leftJoin(orders, and(eq(orders.id, interventions.orderId), eq(orders.orgId, orgId)))
    .where(and(eq(interventions.orgId, orgId), eq(interventions.status, "open")))
    .orderBy(desc(interventions.createdAt))
    .limit(limit);
  return rows;
}

/** Cancels the customer's open order and resolves their interventions: Botlive's admin reset. */
export async function clearOrderState(tx: Transaction, orgId: string, customerRef: string): Promise<number> {
  const cancelled = await tx
    .update(orders)
    .set({ status: "cancelled" })
    .where(and(eq(orders.orgId, orgId), eq(orders.customerRef, customerRef), eq(orders.status, "in_progress")))
    .returning({ id: orders.id });
  await tx
    .update(interventions)
    .set({ status: "resolved", resolvedAt: new Date() })
    .where(
      and(eq(interventions.orgId, orgId), eq(interventions.customerRef, customerRef), eq(interventions.status, "open")),
    );
  return cancelled.length;
}

export type PeriodFigures = { revenue: number; orders: number; activeClients: number };

/** Completed orders' deposits and count, and customers who wrote, between two instants. */
export async function periodFigures(db: Db, orgId: string, from: Date, to: Date): Promise<PeriodFigures> {
  const [sales] = await db
    .select({
      revenue: sql<number>`coalesce(sum(${orders.amountPaid}), 0)::int`,
      orders: sql<number>`count(*)::int`,
    })
    .from(orders)
    .where(
      and(
        eq(orders.orgId, orgId),
        eq(orders.status, "completed"),
        gte(orders.completedAt, from),
        lt(orders.completedAt, to),
      ),
    );
  const [clients] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(conversations)
    .where(
      and(
        eq(conversations.orgId, orgId),
        eq(conversations.channel, "whatsapp"),
        gte(conversations.lastMessageAt, from),
        lt(conversations.lastMessageAt, to),
      ),
    );
  return { revenue: sales?.revenue ?? 0, orders: sales?.orders ?? 0, activeClients: clients?.count ?? 0 };
}

export async function countOpenInterventions(db: Db, orgId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(interventions)
    .where(and(eq(interventions.orgId, orgId), eq(interventions.status, "open")));
  return row?.count ?? 0;
}

/** Recent orders (any status) and interventions, for the activity feed. */
export async function recentOrders(db: Db, orgId: string, limit: number): Promise<Order[]> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.orgId, orgId), sql`${orders.status} <> 'cancelled'`))
    .orderBy(desc(orders.updatedAt))
    .limit(limit);
}

/** Orders of any status (or one), newest first. */
export async function listOrders(
  db: Db,
  orgId: string,
  filter: { status?: Order["status"]; customerRef?: string; limit: number },
): Promise<Order[]> {
  return db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.orgId, orgId),
        filter.status ? eq(orders.status, filter.status) : undefined,
        filter.customerRef ? eq(orders.customerRef, filter.customerRef) : undefined,
      ),
    )
    .orderBy(desc(orders.createdAt))
    .limit(filter.limit);
}

/** Interventions (open ones by default), newest first. */
export async function listInterventions(
  db: Db,
  orgId: string,
  filter: { status?: Intervention["status"]; limit: number },
): Promise<Intervention[]> {
  return db
    .select()
    .from(interventions)
    .where(and(eq(interventions.orgId, orgId), filter.status ? eq(interventions.status, filter.status) : undefined))
    .orderBy(desc(interventions.createdAt))
    .limit(filter.limit);
}

/** Cancels one order still being taken; a completed or cancelled one is left as it is (ConflictError). */
export async function cancelOrder(db: Db, orgId: string, orderId: string): Promise<Order> {
  const [cancelled] = await db
    .update(orders)
    .set({ status: "cancelled", updatedAt: new Date() })
    .where(and(eq(orders.orgId, orgId), uuidEquals(orders.id, orderId), eq(orders.status, "in_progress")))
    .returning();
  if (cancelled) return cancelled;
  const existing = await findOrder(db, orgId, orderId);
  throw new ConflictError(`Order is already ${existing.status}`);
}

/** Marks an intervention handled; resolving a resolved one changes nothing. */
export async function resolveIntervention(db: Db, orgId: string, interventionId: string): Promise<Intervention> {
  const [resolved] = await db
    .update(interventions)
    .set({ status: "resolved", resolvedAt: new Date() })
    .where(
      and(
        eq(interventions.orgId, orgId),
        uuidEquals(interventions.id, interventionId),
        eq(interventions.status, "open"),
      ),
    )
    .returning();
  if (resolved) return resolved;
  const [existing] = await db
    .select()
    .from(interventions)
    .where(and(eq(interventions.orgId, orgId), uuidEquals(interventions.id, interventionId)));
  if (!existing) throw new NotFoundError(`Intervention ${interventionId}`);
  return existing;
}

async function findOrder(db: Db, orgId: string, orderId: string): Promise<Order> {
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.orgId, orgId), uuidEquals(orders.id, orderId)));
  if (!order) throw new NotFoundError(`Order ${orderId}`);
  return order;
}
