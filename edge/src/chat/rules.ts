import type { Database, Transaction } from "../db/client.js";
import { extractSlots } from "../orders/extract.js";
import { type OrderProgress, orderProgress } from "../orders/progress.js";
import {
  applySlots,
  findOpenOrder,
  type Intervention,
  latestOrder,
  type OrderChanges,
  raiseIntervention,
} from "../orders/service.js";
import type { ChatIntentMatch } from "./intents.js";
import type { ChatLanguage } from "./language.js";
import { PHRASEBOOKS, type Phrasebook } from "./replies.js";
import type { Conversation } from "./sessions.js";
import type { ChatTools, TicketSummary } from "./tools.js";
import { ToolUnavailableError } from "./tools.js";
import type { ChatTurnInput } from "./turn.js";

/**
 * The deterministic mode (rules:v1): slot filling for Botlive orders, keyword intents and tool calls for
 * customer service, and replies from fixed phrasebooks in the customer's language.
 */
export const RULES_MODE = "rules:v1";

export type RulesOutcome = {
  reply: string;
  intent: ChatIntentMatch;
  order: OrderProgress | null;
  interventions: Intervention[];
  ticket: TicketSummary | null;
  webhookEvents: boolean;
};

/** An intervention the customer's words call for: a human asked for, or frustration. */
export async function interventionFor(
  tx: Transaction,
  input: ChatTurnInput,
  conversation: Conversation,
  intent: ChatIntentMatch,
): Promise<Intervention | null> {
  if (intent.intent !== "human_request" && intent.intent !== "frustration") return null;
  const order = await findOpenOrder(tx, input.orgId, input.sessionKey);
  const type = intent.intent === "human_request" ? "human_requested" : "frustration";
  const message =
    intent.intent === "human_request"
      ? "Le client demande un conseiller"
      : `Client mécontent : « ${input.message.slice(0, 200)} »`;
  return raiseIntervention(tx, input.orgId, {
    order,
    type,
    message,
    customerRef: input.sessionKey,
    conversationId: conversation.id,
  });
}

function orderReply(book: Phrasebook, changes: OrderChanges | null, progress: OrderProgress, greeted: boolean): string {
  const parts: string[] = [];
  if (greeted) parts.push(book.greeting);
  const sources = changes?.order.slotSources ?? {};
  const photo = Boolean(changes && sources.produit === "VISION" && changes.order.product);
  if (changes) {
    const order = changes.order;
    if (photo) parts.push(book.photoReceived);
    else if (order.product && progress.nextStep === "paiement") parts.push(book.productNoted(order.product));
    if (changes.paymentValidated && order.amountPaid) parts.push(book.paymentValidated(order.amountPaid));
    const shortfall = changes.interventions.find((intervention) => intervention.type === "payment_issue");
    if (shortfall && order.amountPaid !== null)
      parts.push(book.paymentInsufficient(order.amountPaid, order.requiredDeposit));
    if (order.zone && order.deliveryFee !== null && progress.nextStep !== "zone")
      parts.push(book.zoneNoted(order.zone, order.deliveryFee));
    if (order.phone && progress.nextStep === "completed") parts.push(book.phoneNoted(order.phone));
    if (changes.completed) return [...parts, book.orderCompleted].join(" ");
  }
  const deposit = changes?.order.requiredDeposit ?? 2000;
  parts.push(book.ask(progress.nextStep, deposit, photo && progress.nextStep === "paiement"));
  return parts.filter(Boolean).join(" ");
}

/** Botlive: fill the order's slots from the message and its images, then ask for the next one. */
export async function ordersTurn(
  tx: Transaction,
  input: ChatTurnInput,
  conversation: Conversation,
  intent: ChatIntentMatch,
  language: ChatLanguage,
): Promise<RulesOutcome> {
  const book = PHRASEBOOKS[language];
  const open = await findOpenOrder(tx, input.orgId, input.sessionKey);
  const slots = extractSlots(input.message, input.images ?? [], Boolean(open?.product));
  const changes = await applySlots(tx, input.orgId, {
    customerRef: input.sessionKey,
    customerName: input.customerName ?? null,
    conversationId: conversation.id,
    slots,
  });
  const raised = await interventionFor(tx, input, conversation, intent);
  const interventions = [...(changes?.interventions ?? []), ...(raised ? [raised] : [])];
  const order = changes?.order ?? (await latestOrder(tx, input.orgId, input.sessionKey));
  const progress = orderProgress(order?.status === "cancelled" ? null : order);
  const webhookEvents = interventions.length > 0 || Boolean(changes?.paymentValidated || changes?.completed);
  const slotIntent: ChatIntentMatch | null =
    changes && (intent.intent === "unknown" || intent.intent === "greeting")
      ? { intent: "order", confidence: 0.9, rule: "rules:v1:slots" }
      : null;
  let reply: string;
  if (raised) reply = raised.type === "human_requested" ? book.humanRequested : book.frustration;
  else if (!changes && intent.intent === "thanks") reply = book.thanks;
  else reply = orderReply(book, changes, progress, intent.intent === "greeting");
  return { reply, intent: slotIntent ?? intent, order: progress, interventions, ticket: null, webhookEvents };
}

/** Furniture damage categories a complaint names, in the ticket vocabulary (LEGACY-NOTES weights). */
function ticketCategory(normalisedText: string): string {
  if (/pied|structure|cadre|casse|frame|leg|estructura/.test(normalisedText)) return "structural";
  if (/mecanisme|relax|mechanism|mecanismo/.test(normalisedText)) return "mechanism";
  if (/livraison|delivery|entrega/.test(normalisedText)) return "delivery";
  if (/tissu|dechire|tache|fabric|tela/.test(normalisedText)) return "fabric";
  return "other";
}

const ASKS_FOR_TICKET = /\b(ticket|reclamation|sav|claim|reclamacion)\b/i;
const SEARCH_WORDS =
  /\b(?:je cherche|cherche|recherche|avez[- ]vous|vous avez|busco|tienen|looking for|do you have|un|une|des|le|la|les|a|an|the|el|los|una|de|du|please|svp|por favor)\b/gi;

/** Customer service: a greeting, a complaint (with a ticket when asked), a product search, or a human. */
export async function supportTurn(
  db: Database,
  tools: ChatTools,
  input: ChatTurnInput,
  conversation: Conversation,
  intent: ChatIntentMatch,
  language: ChatLanguage,
): Promise<Omit<RulesOutcome, "interventions" | "webhookEvents">> {
  const book = PHRASEBOOKS[language];
  const base = { intent, order: null, ticket: null };
  try {
    if (intent.intent === "support_request" && ASKS_FOR_TICKET.test(input.message)) {
      const folded = input.message
        .normalize("NFD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase();
      const ticket = await tools.createTicket(db, input.orgId, {
        category: ticketCategory(folded),
        severity: "medium",
        description: input.message,
        conversationId: conversation.id,
        ...(input.userId ? { createdByUserId: input.userId } : {}),
      });
      return { ...base, ticket, reply: book.ticketCreated(ticket) };
    }
    if (intent.intent === "product_search") {
      const query = input.message
        .replace(SEARCH_WORDS, " ")
        .replace(/[?!.,]/g, " ")
        .replace(/\s+/g, " ")
        .trim();
      const products = await tools.searchProducts(db, input.orgId, { ...(query ? { query } : {}), limit: 3 });
      return { ...base, reply: products.length > 0 ? book.productsFound(products) : book.noProducts };
    }
  } catch (error) {
    if (!(error instanceof ToolUnavailableError)) throw error;
    return { ...base, reply: book.toolUnavailable };
  }
  const replies: Partial<Record<string, string>> = {
    support_request: book.supportRequest,
    greeting: book.supportGreeting,
    thanks: book.thanks,
    human_request: book.humanRequested,
    frustration: book.frustration,
  };
  return { ...base, reply: replies[intent.intent] ?? book.notUnderstood };
}
