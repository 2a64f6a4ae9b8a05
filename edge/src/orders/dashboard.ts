import type { Database } from "../db/client.js";
import { countOpenInterventions, listOpenInterventions, type Order, periodFigures, recentOrders } from "./service.js";

/** Botlive's dashboard figures: stats over a period against the previous one, and the activity feed. */

export const TIME_RANGES = ["today", "week", "month"] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

const DAY_MS = 86_400_000;

/** today: since UTC midnight; week: 7 days; month: 30 days. The previous period has the same length. */
export function periodBounds(range: TimeRange, now: Date): { from: Date; previousFrom: Date } {
  const from =
    range === "today"
      ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
      : new Date(now.getTime() - (range === "week" ? 7 : 30) * DAY_MS);
  return { from, previousFrom: new Date(from.getTime() - (now.getTime() - from.getTime())) };
}

/** A signed integer percent; "+100%" when the previous period had nothing (and something now). */
export function percentVariation(current: number, previous: number): string {
  if (previous === 0) return current > 0 ? "+100%" : "+0%";
  const percent = Math.round(((current - previous) / previous) * 100);
  return `${percent >= 0 ? "+" : ""}${percent}%`;
}

export function signedDifference(current: number, previous: number): string {
  const difference = current - previous;
  return `${difference >= 0 ? "+" : ""}${difference}`;
}

export type BotliveStats = {
  revenue: number;
  revenueVariation: string;
  orders: number;
  ordersVariation: string;
  activeClients: number;
  openInterventions: number;
};

export async function botliveStats(db: Database, orgId: string, range: TimeRange, now: Date): Promise<BotliveStats> {
  const { from, previousFrom } = periodBounds(range, now);
  const [current, previous, openInterventions] = await Promise.all([
    periodFigures(db, orgId, from, now),
    periodFigures(db, orgId, previousFrom, from),
    countOpenInterventions(db, orgId),
  ]);
  return {
    revenue: current.revenue,
    revenueVariation: percentVariation(current.revenue, previous.revenue),
    orders: current.orders,
    ordersVariation: signedDifference(current.orders, previous.orders),
    activeClients: current.activeClients,
    openInterventions,
  };
}

/** "à l'instant", "il y a 5 min", "il y a 3 h", "il y a 2 j". */
export function relativeFrench(at: Date, now: Date): string {
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return "à l'instant";
  if (minutes < 60) return `il y a ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `il y a ${hours} h`;
  return `il y a ${Math.floor(hours / 24)} j`;
}

export type Activity = { type: string; client: string; produit?: string; at: Date };

function orderActivity(order: Order): Activity {
  const client = order.customerName ?? order.customerRef;
  const produit = order.product ?? undefined;
  if (order.status === "completed") {
    return {
      type: "commande_enregistree",
      client,
      ...(produit ? { produit } : {}),
      at: order.completedAt ?? order.updatedAt,
    };
  }
  const type = order.product && order.paymentStatus !== "validated" ? "paiement_en_cours" : "commande_en_cours";
  return { type, client, ...(produit ? { produit } : {}), at: order.updatedAt };
}

/** Orders and open interventions, newest first. */
export async function recentActivity(db: Database, orgId: string, limit: number): Promise<Activity[]> {
  const [orderRows, interventionRows] = await Promise.all([
    recentOrders(db, orgId, limit),
    listOpenInterventions(db, orgId, limit),
  ]);
  const activities: Activity[] = [
    ...orderRows.map(orderActivity),
    ...interventionRows.map(({ intervention, order }) => ({
      type: "intervention_requise",
      client: order?.customerName ?? intervention.customerRef,
      at: intervention.createdAt,
    })),
  ];
  return activities.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}
