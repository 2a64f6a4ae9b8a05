import { type LanguageModel, type ModelMessage, stepCountIs, streamText, type ToolSet, tool } from "ai";
import { z } from "zod";
import type { Database } from "../db/client.js";
import { type ExtractedSlots, normalisePhone } from "../orders/extract.js";
import type { OrderProgress } from "../orders/progress.js";
import { orderProgress } from "../orders/progress.js";
import { applySlots, type Intervention, raiseIntervention } from "../orders/service.js";
import { findZone } from "../orders/zones.js";
import type { ChatLanguage } from "./language.js";
import { type Conversation, lockConversation, type Message } from "./sessions.js";
import type { ChatTools, TicketSummary } from "./tools.js";
import type { ChatTurnInput } from "./turn.js";

/**
 * The LLM mode: the `ai` SDK's streamText with the engine's tools (record order slots, request a human, and for
 * customer service create a ticket and search products). Tools run against the same domain services as the
 * rules mode, so an order filled by the model completes, validates payments and raises interventions the same way.
 */

/** A customer is waiting: one attempt, bounded. */
const MODEL_TIMEOUT_MS = 20_000;
/** Tool call, tool result, answer: a few steps are enough for one message. */
const MAX_STEPS = 4;

export type ChatModel = { model: LanguageModel; id: string };

export type LlmTurnState = {
  order: OrderProgress | null;
  interventions: Intervention[];
  ticket: TicketSummary | null;
  toolsUsed: string[];
  webhookEvents: boolean;
};

const LANGUAGE_NAMES: Record<ChatLanguage, string> = { fr: "French", es: "Spanish", en: "English" };

function systemPrompt(input: ChatTurnInput, language: ChatLanguage): string {
  const role =
    input.agent === "orders"
      ? "You take orders on WhatsApp for an Ivorian shop. An order needs four slots: produit (product), paiement " +
        "(a deposit of 2000 FCFA), zone (Abidjan district, for the delivery fee) and numero (phone). Call " +
        "record_order_slots with every slot the customer gives, then ask for the next missing one."
      : "You are the customer-service assistant of a furniture retailer. Search products with search_products and " +
        "open an after-sales ticket with create_ticket when the customer reports a defect and wants one.";
  return [
    role,
    "Call request_human when the customer asks for a person or is upset.",
    `Answer briefly in ${LANGUAGE_NAMES[language]}, the customer's language.`,
  ].join("\n");
}

function historyMessages(history: Message[]): ModelMessage[] {
  return history
    .filter((message) => message.role === "user" || message.role === "assistant")
    .map((message) => ({ role: message.role as "user" | "assistant", content: message.content }));
}

function userContent(input: ChatTurnInput): string {
  const images = (input.images ?? []).map((image) => {
    const meta = typeof image === "string" ? { url: image } : image;
    return `[image: ${JSON.stringify(meta)}]`;
  });
  return [input.message, ...images].filter(Boolean).join("\n");
}

const orderSlotsInput = z.object({
  produit: z.string().optional().describe("The product ordered"),
  montant: z.number().optional().describe("Deposit amount paid, in FCFA"),
  reference: z.string().optional().describe("Payment transaction reference"),
  zone: z.string().optional().describe("Delivery district or town"),
  numero: z.string().optional().describe("Customer phone number"),
});

function slotsFromModel(input: z.infer<typeof orderSlotsInput>): ExtractedSlots {
  const zone = input.zone ? (findZone(input.zone) ?? findZone(`zone ${input.zone}`)) : null;
  return {
    product: input.produit ? { name: input.produit, source: "MESSAGE" } : null,
    payment: input.montant ? { amount: input.montant, reference: input.reference ?? null, source: "MESSAGE" } : null,
    zone,
    phone: input.numero ? normalisePhone(input.numero) : null,
  };
}

function engineTools(
  db: Database,
  tools: ChatTools,
  input: ChatTurnInput,
  conversation: Conversation,
  state: LlmTurnState,
): ToolSet {
  const requestHuman = tool({
    description: "Hand the conversation to a human agent.",
    inputSchema: z.object({ reason: z.string().describe("Why, in a few words") }),
    execute: async ({ reason }) => {
      state.toolsUsed.push("request_human");
      const intervention = await raiseIntervention(db, input.orgId, {
        order: null,
        type: "human_requested",
        message: reason,
        customerRef: input.sessionKey,
        conversationId: conversation.id,
      });
      state.interventions.push(intervention);
      state.webhookEvents = true;
      return { handed_over: true };
    },
  });
  if (input.agent === "orders") {
    const recordOrderSlots = tool({
      description: "Record the order slots the customer gave (any subset).",
      inputSchema: orderSlotsInput,
      execute: async (slots) => {
        state.toolsUsed.push("record_order_slots");
        const changes = await db.transaction(async (tx) => {
          await lockConversation(tx, conversation);
          return applySlots(tx, input.orgId, {
            customerRef: input.sessionKey,
            customerName: input.customerName ?? null,
            conversationId: conversation.id,
            slots: slotsFromModel(slots),
          });
        });
        if (!changes) return { recorded: false };
        state.order = orderProgress(changes.order);
        state.interventions.push(...changes.interventions);
        state.webhookEvents ||= changes.interventions.length > 0 || changes.paymentValidated || changes.completed;
        return { order_status: state.order.orderStatus, next_step: state.order.nextStep };
      },
    });
    return { record_order_slots: recordOrderSlots, request_human: requestHuman };
  }
  const createTicket = tool({
    description: "Open an after-sales ticket for a defective or damaged product.",
    inputSchema: z.object({
      category: z.string(),
      severity: z.enum(["low", "medium", "high", "critical"]),
      description: z.string(),
      product_sku: z.string().optional(),
    }),
    execute: async (ticket) => {
      state.toolsUsed.push("create_ticket");
      state.ticket = await tools.createTicket(db, input.orgId, {
        category: ticket.category,
        severity: ticket.severity,
        description: ticket.description,
        ...(ticket.product_sku ? { productSku: ticket.product_sku } : {}),
        conversationId: conversation.id,
        ...(input.userId ? { createdByUserId: input.userId } : {}),
      });
      return state.ticket;
    },
  });
  const searchProducts = tool({
    description: "Search the product catalogue.",
    inputSchema: z.object({
      query: z.string(),
      category: z.string().optional(),
      limit: z.number().int().min(1).max(10).optional(),
    }),
    execute: async ({ query, category, limit }) => {
      state.toolsUsed.push("search_products");
      return tools.searchProducts(db, input.orgId, { query, ...(category ? { category } : {}), limit: limit ?? 5 });
    },
  });
  return { create_ticket: createTicket, search_products: searchProducts, request_human: requestHuman };
}

/** Streams the model's reply text; tool calls run as they come. Throws the provider's error. */
export async function* streamLlmReply(
  deps: { db: Database; tools: ChatTools; model: ChatModel },
  input: ChatTurnInput,
  conversation: Conversation,
  history: Message[],
  language: ChatLanguage,
  state: LlmTurnState,
): AsyncGenerator<string, string> {
  const result = streamText({
    model: deps.model.model,
    system: systemPrompt(input, language),
    messages: [...historyMessages(history), { role: "user", content: userContent(input) }],
    tools: engineTools(deps.db, deps.tools, input, conversation, state),
    stopWhen: stepCountIs(MAX_STEPS),
    maxRetries: 0,
    abortSignal: AbortSignal.timeout(MODEL_TIMEOUT_MS),
    onError: () => {},
  });
  let text = "";
  for await (const part of result.fullStream) {
    if (part.type === "error") throw part.error;
    if (part.type === "abort") throw new Error("The model did not answer in time");
    if (part.type === "tool-error") throw part.error;
    if (part.type === "text-delta" && part.text) {
      text += part.text;
      yield part.text;
    }
  }
  return text.trim();
}
