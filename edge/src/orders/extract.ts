/**
 * Botlive order slots read from one message by deterministic rules (rules:v1): produit, paiement, zone,
 * numero. Images count too: their metadata (a product name or an amount, or the file name) fills produit
 * or paiement, since the rules mode has no vision model.
 */
import { normaliseText } from "../conversation/intents.js";
import { type DeliveryZone, findZone } from "./zones.js";

/** An image as N8N sends it: a URL, or a URL with what the channel already knows about it. */
export type ImageInput =
  | string
  | { url: string; product?: string; amount?: number; reference?: string; caption?: string };

export type SlotSource = "MESSAGE" | "VISION" | "TRANSACTIONS";

export type ExtractedSlots = {
  product: { name: string; source: SlotSource } | null;
  payment: { amount: number; reference: string | null; source: SlotSource } | null;
  zone: DeliveryZone | null;
  phone: string | null;
};

/** Ivorian mobile: +225 optional, then 10 digits starting with 0, grouped by spaces, dots or dashes. */
const PHONE_PATTERN = /(?:\+|00)?(?:225[\s.-]?)?(0\d(?:[\s.-]?\d){8})(?!\d)/;

/** The local 10-digit form `0XXXXXXXXX`, or null. */
export function normalisePhone(text: string): string | null {
  const match = text.match(PHONE_PATTERN)?.[1];
  if (!match) return null;
  const digits = match.replace(/\D/g, "");
  return digits.length === 10 ? digits : null;
}

const AMOUNT_WITH_CURRENCY = /(\d{1,3}(?:[\s.]\d{3})+|\d{2,7})\s*(?:fcfa|f\s?cfa|cfa|francs?|f)\b/i;
const AMOUNT_AFTER_VERB =
  /(?:pay[ée]e?|payé|envoy[ée]|vers[ée]|d[ée]p[oô]t|transf[ée]r[ée]?|pagu[ée]|pagado|enviado|paid|sent)\D{0,12}(\d{1,3}(?:[\s.]\d{3})+|\d{2,7})/i;
const REFERENCE_PATTERN = /\b((?:WAVE|OM|MTN|MOOV|ORANGE|TX|REF)[-_]?[A-Z0-9]{4,})\b/i;

/** A deposit amount named in text ("2000 FCFA", "j'ai payé 1500"), never a phone number. */
export function findAmount(text: string): number | null {
  const withoutPhone = text.replace(PHONE_PATTERN, " ");
  const raw = withoutPhone.match(AMOUNT_WITH_CURRENCY)?.[1] ?? withoutPhone.match(AMOUNT_AFTER_VERB)?.[1];
  if (!raw) return null;
  const amount = Number(raw.replace(/[\s.]/g, ""));
  return Number.isFinite(amount) && amount > 0 ? amount : null;
}

const ORDER_VERBS =
  /(?:commander|acheter|je prends|prendre|comprar|pedir|quiero|order|buy|i(?:'d| would) like|i want)\s+(.+)/i;
const NOT_A_PRODUCT = new Set([
  "",
  "commander",
  "acheter",
  "un produit",
  "quelque chose",
  "something",
  "algo",
  "please",
]);

/** The product a message orders ("je veux commander 2 lingettes"), trimmed of trailing politeness. */
export function findProduct(text: string): string | null {
  const rest = text.match(ORDER_VERBS)?.[1];
  if (!rest) return null;
  const name = rest
    .replace(/\b(?:s'il vous pla[iî]t|svp|stp|merci|por favor|please|thanks)\b.*$/i, "")
    .replace(/[.!?,;]+$/g, "")
    .replace(/^(?:to\s+)?(?:commander|acheter|comprar|pedir|order|buy|get)\s+/i, "")
    .trim();
  if (NOT_A_PRODUCT.has(normaliseText(name).trim()) || name.length > 120) return null;
  return name;
}

/** A product name from an image's file name: `.../lingettes-bebe.jpg` → "lingettes bebe". */
function productFromUrl(url: string): string | null {
  try {
    const file = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
    const stem = file
      .replace(/\.[a-z0-9]+$/i, "")
      .replace(/[-_]+/g, " ")
      .trim();
    return /^[\p{L}][\p{L}\d ]{1,60}$/u.test(stem) && !/^(?:image|img|photo|screenshot|capture)\s?\d*$/i.test(stem)
      ? stem
      : null;
  } catch {
    return null;
  }
}

/** What the images show: the first carries the product unless the order has one; a later one, a payment proof. */
function fromImages(images: readonly ImageInput[], hasProduct: boolean): Pick<ExtractedSlots, "product" | "payment"> {
  let product: ExtractedSlots["product"] = null;
  let payment: ExtractedSlots["payment"] = null;
  for (const image of images) {
    const meta = typeof image === "string" ? { url: image } : image;
    const amount = meta.amount ?? (meta.caption ? findAmount(meta.caption) : null);
    if (amount) {
      payment = { amount, reference: meta.reference ?? null, source: "TRANSACTIONS" };
      continue;
    }
    if (!hasProduct && !product) {
      const name = meta.product ?? productFromUrl(meta.url) ?? "produit (photo)";
      product = { name, source: "VISION" };
    }
  }
  return { product, payment };
}

/** Every slot one message (text and images) fills; `hasProduct` says whether the order already has one. */
export function extractSlots(text: string, images: readonly ImageInput[], hasProduct: boolean): ExtractedSlots {
  const visual = fromImages(images, hasProduct);
  const amount = findAmount(text);
  const reference = text.match(REFERENCE_PATTERN)?.[1]?.toUpperCase() ?? null;
  const textPayment = amount ? { amount, reference, source: "MESSAGE" as const } : null;
  const productName = findProduct(text);
  return {
    product: productName ? { name: productName, source: "MESSAGE" } : visual.product,
    payment: visual.payment ? { ...visual.payment, reference: visual.payment.reference ?? reference } : textPayment,
    zone: findZone(text),
    phone: normalisePhone(text),
  };
}
