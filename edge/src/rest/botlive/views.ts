import type { ChatTurnResult } from "../../chat/turn.js";
import { type Activity, type BotliveStats, relativeFrench, type TimeRange } from "../../orders/dashboard.js";
import { orderProgress } from "../../orders/progress.js";
import type { InterventionWithOrder, Order } from "../../orders/service.js";

/** Botlive's JSON shapes, built from the domain's results. */

/** `2025-10-22T09:00:00Z`, as the document writes timestamps. */
export function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const EMPTY_PROGRESS = orderProgress(null);

export function messageView(result: ChatTurnResult, requestId: string) {
  const progress = result.order ?? EMPTY_PROGRESS;
  return {
    success: true,
    response: result.reply,
    order_status: progress.orderStatus,
    next_step: progress.nextStep,
    duration_ms: result.durationMs,
    request_id: requestId,
    intent: result.intent,
    confidence: result.confidence,
    language: result.language,
    mode: result.mode,
  };
}

export function doneEvent(result: ChatTurnResult, requestId: string) {
  const progress = result.order ?? EMPTY_PROGRESS;
  return {
    event: "done",
    order_status: progress.orderStatus,
    next_step: progress.nextStep,
    response: result.reply,
    intent: result.intent,
    confidence: result.confidence,
    language: result.language,
    mode: result.mode,
    duration_ms: result.durationMs,
    request_id: requestId,
  };
}

export function statsView(stats: BotliveStats, range: TimeRange, now: Date) {
  return {
    ca_live_session: stats.revenue,
    ca_variation: stats.revenueVariation,
    commandes_total: stats.orders,
    commandes_variation: stats.ordersVariation,
    clients_actifs: stats.activeClients,
    interventions_requises: stats.openInterventions,
    time_range: range,
    updated_at: isoSeconds(now),
  };
}

/** Active orders show plain slot values ("Yopougon", "2020 FCFA"), not the ✅ markers. */
export function activeOrderView(order: Order) {
  return {
    user_id: order.customerRef,
    user_name: order.customerName ?? order.customerRef,
    produit: order.product ?? "",
    paiement: order.amountPaid !== null ? `${order.amountPaid} FCFA` : "",
    zone: order.zone ?? "",
    numero: order.phone ?? "",
    completion_rate: order.completionRate,
    created_at: isoSeconds(order.createdAt),
  };
}

export function interventionView({ intervention, order }: InterventionWithOrder) {
  return {
    user_id: intervention.customerRef,
    type: intervention.type,
    message: intervention.message,
    order_status: orderProgress(order).orderStatus,
    created_at: isoSeconds(intervention.createdAt),
  };
}

export function activityView(activity: Activity, now: Date) {
  return {
    type: activity.type,
    client: activity.client,
    ...(activity.produit ? { produit: activity.produit } : {}),
    timestamp: relativeFrench(activity.at, now),
  };
}
