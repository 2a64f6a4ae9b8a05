import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "../graphql/builder.js";
import { db, type GraphQLContext, orgOf, principalOf } from "../graphql/context.js";
import { writeErrors } from "../graphql/errors.js";
import type { ChatToken, HubMessage } from "../live/events.js";
import { subscribeToHub } from "../live/subscribe.js";
import { topics } from "../live/topics.js";
import { type OrderProgress, orderProgress } from "../orders/progress.js";
import {
  cancelOrder,
  type Intervention,
  listInterventions,
  listOrders,
  type Order as OrderRow,
  resolveIntervention,
} from "../orders/service.js";
import { ValidationError } from "../shared/errors.js";
import { conversationFor, runChatTurnLive } from "./live.js";
import { afterChatTurn, chatEngineFor } from "./runtime.js";
import {
  type ChatChannel,
  type Conversation as ConversationRow,
  listConversations,
  type Message,
  recentMessages,
} from "./sessions.js";
import type { ChatAgentKind, ChatTurnResult } from "./turn.js";

/**
 * Chat over GraphQL: sendMessage runs one engine turn (the same engine as Botlive's and Meuble's REST routes) and
 * streams its tokens to chatReply subscribers of the conversation; queries read conversations, orders and
 * interventions. Any authenticated caller of the organisation may chat, as Botlive's API keys do.
 */

const ChatAgentEnum = builder.enumType("ChatAgent", {
  description: "Which bot answers: Botlive's order taker or the customer-service assistant.",
  values: { ORDERS: { value: "orders" }, SUPPORT: { value: "support" } } as const,
});

/** Botlive's orders run on its WhatsApp channel, customer service on the web one, whatever the transport. */
function channelOf(agent: ChatAgentKind): ChatChannel {
  return agent === "orders" ? "whatsapp" : "web";
}

const OrderProgressRef = builder.objectRef<OrderProgress>("OrderProgress").implement({
  description: "An order's slots as Botlive shows them (`✅NAME:value[SOURCE]`, empty when missing).",
  fields: (t) => ({
    produit: t.string({ resolve: (p) => p.orderStatus.produit }),
    paiement: t.string({ resolve: (p) => p.orderStatus.paiement }),
    zone: t.string({ resolve: (p) => p.orderStatus.zone }),
    numero: t.string({ resolve: (p) => p.orderStatus.numero }),
    completionRate: t.int({ resolve: (p) => p.orderStatus.completion_rate }),
    isComplete: t.boolean({ resolve: (p) => p.orderStatus.is_complete }),
    nextStep: t.string({ resolve: (p) => p.nextStep }),
  }),
});

const ChatReplyRef = builder.objectRef<ChatTurnResult>("ChatReply").implement({
  description: "The engine's answer to one message.",
  fields: (t) => ({
    conversationId: t.id({ resolve: (r) => encodeGlobalID("Conversation", r.conversationId) }),
    reply: t.exposeString("reply"),
    intent: t.string({ resolve: (r) => r.intent }),
    confidence: t.exposeFloat("confidence"),
    language: t.exposeString("language"),
    mode: t.exposeString("mode", { description: "Which engine answered: rules:v1, or llm:<model>." }),
    order: t.field({ type: OrderProgressRef, nullable: true, resolve: (r) => r.order }),
    ticketCode: t.string({ nullable: true, resolve: (r) => r.ticket?.code ?? null }),
    durationMs: t.exposeInt("durationMs"),
  }),
});

const ChatMessageRef = builder.objectRef<Message>("ChatMessage").implement({
  fields: (t) => ({
    role: t.string({ resolve: (m) => m.role }),
    content: t.exposeString("content"),
    intent: t.exposeString("intent", { nullable: true }),
    confidence: t.exposeFloat("confidence", { nullable: true }),
    attachments: t.exposeStringList("attachments"),
    createdAt: t.field({ type: "DateTime", resolve: (m) => m.createdAt }),
  }),
});

const ConversationRef = builder.objectRef<ConversationRow>("Conversation").implement({
  description: "A chat session: Botlive's user_id or Meuble's session_id, with its history.",
  fields: (t) => ({
    id: t.id({ resolve: (c) => encodeGlobalID("Conversation", c.id) }),
    channel: t.string({ resolve: (c) => c.channel }),
    sessionKey: t.exposeString("sessionKey"),
    language: t.exposeString("language", { nullable: true }),
    lastMessageAt: t.field({ type: "DateTime", nullable: true, resolve: (c) => c.lastMessageAt }),
    messages: t.field({
      type: [ChatMessageRef],
      description: "The last messages, oldest first.",
      args: { last: t.arg.int({ defaultValue: 50 }) },
      resolve: (c, args, context) =>
        recentMessages(db(context), orgOf(context), c.id, Math.min(Math.max(args.last ?? 50, 1), 200)),
    }),
  }),
});

const OrderStatusEnum = builder.enumType("OrderStatus", { values: ["in_progress", "completed", "cancelled"] as const });

const OrderRef = builder.objectRef<OrderRow>("Order").implement({
  description: "A Botlive order.",
  fields: (t) => ({
    id: t.id({ resolve: (o) => encodeGlobalID("Order", o.id) }),
    customerRef: t.exposeString("customerRef"),
    customerName: t.exposeString("customerName", { nullable: true }),
    status: t.field({ type: OrderStatusEnum, resolve: (o) => o.status }),
    paymentStatus: t.string({ resolve: (o) => o.paymentStatus }),
    amountPaid: t.exposeInt("amountPaid", { nullable: true }),
    deliveryFee: t.exposeInt("deliveryFee", { nullable: true }),
    progress: t.field({ type: OrderProgressRef, resolve: (o) => orderProgress(o) }),
    createdAt: t.field({ type: "DateTime", resolve: (o) => o.createdAt }),
    completedAt: t.field({ type: "DateTime", nullable: true, resolve: (o) => o.completedAt }),
  }),
});

const InterventionRef = builder.objectRef<Intervention>("Intervention").implement({
  description: "A conversation that needs a human: asked for, frustration, a payment problem, a stuck order.",
  fields: (t) => ({
    id: t.id({ resolve: (i) => encodeGlobalID("Intervention", i.id) }),
    customerRef: t.exposeString("customerRef"),
    type: t.string({ resolve: (i) => i.type }),
    message: t.exposeString("message"),
    status: t.string({ resolve: (i) => i.status }),
    createdAt: t.field({ type: "DateTime", resolve: (i) => i.createdAt }),
  }),
});

const ChatTokenRef = builder.objectRef<ChatToken>("ChatToken").implement({
  description: "A piece of a reply as the engine writes it; `done` closes the reply.",
  fields: (t) => ({
    conversationId: t.id({ resolve: (token) => encodeGlobalID("Conversation", token.conversationId) }),
    requestId: t.exposeString("requestId"),
    sequence: t.exposeInt("sequence"),
    content: t.exposeString("content"),
    done: t.exposeBoolean("done"),
  }),
});

/** Botlive's and Meuble's limits: a session key of 1 to 100 characters, a message of at most 4000. */
function checkMessage(sessionKey: string, message: string): void {
  const issues = [
    ...(sessionKey.trim().length === 0 || sessionKey.length > 100
      ? [{ path: ["sessionKey"], message: "1 to 100 characters" }]
      : []),
    ...(message.length > 4000 ? [{ path: ["message"], message: "At most 4000 characters" }] : []),
  ];
  if (issues.length > 0) throw new ValidationError("Invalid message", issues);
}

const clamp = (value: number | null | undefined, fallback: number) => Math.min(Math.max(value ?? fallback, 1), 200);

builder.queryFields((t) => ({
  conversations: t.field({
    type: [ConversationRef],
    description: "The organisation's chat conversations, most recently active first.",
    authScopes: { authenticated: true },
    args: { sessionKey: t.arg.string(), first: t.arg.int({ defaultValue: 50 }) },
    resolve: (_root, args, context) =>
      listConversations(db(context), orgOf(context), {
        ...(args.sessionKey ? { sessionKey: args.sessionKey } : {}),
        limit: clamp(args.first, 50),
      }),
  }),
  orders: t.field({
    type: [OrderRef],
    description: "Botlive orders, newest first.",
    authScopes: { authenticated: true },
    args: {
      status: t.arg({ type: OrderStatusEnum }),
      customerRef: t.arg.string(),
      first: t.arg.int({ defaultValue: 50 }),
    },
    resolve: (_root, args, context) =>
      listOrders(db(context), orgOf(context), {
        ...(args.status ? { status: args.status } : {}),
        ...(args.customerRef ? { customerRef: args.customerRef } : {}),
        limit: clamp(args.first, 50),
      }),
  }),
  interventions: t.field({
    type: [InterventionRef],
    description: "Interventions, open ones unless `includeResolved`.",
    authScopes: { authenticated: true },
    args: { includeResolved: t.arg.boolean({ defaultValue: false }), first: t.arg.int({ defaultValue: 50 }) },
    resolve: (_root, args, context) =>
      listInterventions(db(context), orgOf(context), {
        ...(args.includeResolved ? {} : { status: "open" as const }),
        limit: clamp(args.first, 50),
      }),
  }),
}));

/** The uuid behind a global id of the given type; another type's id names nothing. */
function idOf(globalId: { typename: string; id: string }, typename: string): string {
  return globalId.typename === typename ? globalId.id : "";
}

builder.mutationFields((t) => ({
  cancelOrder: t.field({
    type: OrderRef,
    description: "Cancels an order still being taken (a completed or cancelled one is refused).",
    authScopes: { authenticated: true },
    errors: { types: writeErrors },
    args: { id: t.arg.globalID({ required: true }) },
    resolve: (_root, { id }, context) => cancelOrder(db(context), orgOf(context), idOf(id, "Order")),
  }),
  resolveIntervention: t.field({
    type: InterventionRef,
    description: "Marks an intervention handled by a human.",
    authScopes: { authenticated: true },
    errors: { types: writeErrors },
    args: { id: t.arg.globalID({ required: true }) },
    resolve: (_root, { id }, context) => resolveIntervention(db(context), orgOf(context), idOf(id, "Intervention")),
  }),
  sendMessage: t.field({
    type: ChatReplyRef,
    description: "Sends a customer message to a chat agent; its tokens stream to chatReply subscribers of the session.",
    authScopes: { authenticated: true },
    args: {
      agent: t.arg({ type: ChatAgentEnum, required: true }),
      sessionKey: t.arg.string({ required: true }),
      message: t.arg.string({ required: true }),
      images: t.arg.stringList(),
      language: t.arg.string(),
      customerName: t.arg.string(),
    },
    errors: { types: writeErrors },
    resolve: async (_root, args, context) => {
      checkMessage(args.sessionKey, args.message);
      const principal = principalOf(context);
      const deps = chatEngineFor(context.env, db(context));
      const result = await runChatTurnLive(context.env, deps, {
        orgId: principal.orgId,
        agent: args.agent,
        channel: channelOf(args.agent),
        sessionKey: args.sessionKey.trim(),
        userId: principal.userId,
        customerName: args.customerName ?? null,
        message: args.message,
        images: args.images ?? [],
        language: args.language ?? null,
        requestId: context.requestId,
      });
      afterChatTurn(context.env, principal.orgId, result, context.waitUntil);
      return result;
    },
  }),
}));

builder.subscriptionFields((t) => ({
  chatReply: t.field({
    type: ChatTokenRef,
    description: "The tokens of every reply in a session, as sendMessage streams them.",
    authScopes: { authenticated: true },
    args: { agent: t.arg({ type: ChatAgentEnum, required: true }), sessionKey: t.arg.string({ required: true }) },
    subscribe: async (_root, args, context) => {
      const principal = principalOf(context);
      const conversation = await conversationFor(chatEngineFor(context.env, db(context)), {
        orgId: principal.orgId,
        channel: channelOf(args.agent),
        sessionKey: args.sessionKey,
        userId: principal.userId,
      });
      return tokensOf(context, conversation.id);
    },
    resolve: (token: ChatToken) => token,
  }),
}));

async function tokensOf(context: GraphQLContext, conversationId: string): Promise<AsyncIterableIterator<ChatToken>> {
  const source = await subscribeToHub(
    context.env,
    orgOf(context),
    topics.chatReply(conversationId),
    context.disconnected,
  );
  const pick = (message: HubMessage) =>
    message.type === "chat_token" && message.token.conversationId === conversationId ? message.token : null;
  const iterator: AsyncIterableIterator<ChatToken> = {
    async next() {
      for (;;) {
        const next = await source.next();
        if (next.done) return { done: true, value: undefined };
        const token = pick(next.value);
        if (token) return { done: false, value: token };
      }
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
