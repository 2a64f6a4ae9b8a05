import type { orders } from "@switchboard/schema";

type OrderRow = typeof orders.$inferSelect;

/** The four slots in the order Botlive asks for them; next_step is the first one still empty. */
export const ORDER_SLOTS = ["produit", "paiement", "zone", "numero"] as const;
export type OrderSlot = (typeof ORDER_SLOTS)[number];
export type NextStep = OrderSlot | "completed";

/** Botlive's `order_status`: each filled slot as `✅NAME:value[SOURCE]`, an empty one as "". */
export type OrderStatusView = {
  produit: string;
  paiement: string;
  zone: string;
  numero: string;
  completion_rate: number;
  is_complete: boolean;
};

export type OrderProgress = { orderStatus: OrderStatusView; nextStep: NextStep };

/** Which slots an order has filled; a payment counts only once validated. */
export function filledSlots(order: Pick<OrderRow, "product" | "paymentStatus" | "zone" | "phone">): Set<OrderSlot> {
  const filled = new Set<OrderSlot>();
  if (order.product) filled.add("produit");
  if (order.paymentStatus === "validated") filled.add("paiement");
  if (order.zone) filled.add("zone");
  if (order.phone) filled.add("numero");
  return filled;
}

/** An integer percent over the four slots. */
export function completionRate(filled: ReadonlySet<OrderSlot>): number {
  return Math.round((filled.size / ORDER_SLOTS.length) * 100);
}

export function nextStep(filled: ReadonlySet<OrderSlot>): NextStep {
  return ORDER_SLOTS.find((slot) => !filled.has(slot)) ?? "completed";
}

/** The order as Botlive shows it; no order yet is an empty one. */
export function orderProgress(order: OrderRow | null): OrderProgress {
  if (!order) {
    return {
      orderStatus: { produit: "", paiement: "", zone: "", numero: "", completion_rate: 0, is_complete: false },
      nextStep: "produit",
    };
  }
  const filled = filledSlots(order);
  const source = (slot: OrderSlot) => `[${order.slotSources[slot] ?? "MESSAGE"}]`;
  const rate = completionRate(filled);
  return {
    orderStatus: {
      produit: filled.has("produit") ? `✅PRODUIT:${order.product}${source("produit")}` : "",
      paiement: filled.has("paiement") ? `✅PAIEMENT:${order.amountPaid} FCFA${source("paiement")}` : "",
      zone: filled.has("zone") ? `✅ZONE:${order.zone}-${order.deliveryFee} FCFA${source("zone")}` : "",
      numero: filled.has("numero") ? `✅NUMÉRO:${order.phone}${source("numero")}` : "",
      completion_rate: rate,
      is_complete: rate === 100,
    },
    nextStep: nextStep(filled),
  };
}
