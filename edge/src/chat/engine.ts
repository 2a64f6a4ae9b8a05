import type { Database } from "../db/client.js";
import { orderProgress } from "../orders/progress.js";
import { latestOrder } from "../orders/service.js";
import { type ChatIntentMatch, classifyMessage } from "./intents.js";
import { asChatLanguage, type ChatLanguage, detectLanguage } from "./language.js";
import { type ChatModel, type LlmTurnState, streamLlmReply } from "./llm-agent.js";
import { interventionFor, ordersTurn, RULES_MODE, type RulesOutcome, supportTurn } from "./rules.js";
import { type Conversation, lockConversation, openConversation, recentMessages, recordTurn } from "./sessions.js";
import { wordTokens } from "./tokens.js";
import type { ChatTools } from "./tools.js";
import type { ChatTurnInput, ChatTurnResult } from "./turn.js";

/**
 * The chat side of the conversation engine, independent of any transport: one message in, the reply out as an
 * async stream of tokens, then the turn's result (intent, confidence, order progress, mode). REST (JSON and SSE),
 * Meuble's chat and GraphQL all consume streamChatTurn. With a model configured the LLM agent answers; otherwise
 * (or when the model fails before saying anything) the deterministic rules do, and say so in `mode`.
 */

export type ChatEngineDeps = { db: Database; tools: ChatTools; model: ChatModel | null };

/** How much history the model sees. */
const HISTORY_FOR_MODEL = 20;

function languageOf(input: ChatTurnInput, conversation: Conversation): ChatLanguage {
  const asked = asChatLanguage(input.language);
  if (asked) return asked;
  return detectLanguage(input.message, asChatLanguage(conversation.language) ?? "fr");
}

function attachmentsOf(input: ChatTurnInput): string[] {
  return (input.images ?? []).map((image) => (typeof image === "string" ? image : image.url));
}

export async function* streamChatTurn(
  deps: ChatEngineDeps,
  input: ChatTurnInput,
): AsyncGenerator<string, ChatTurnResult> {
  const started = Date.now();
  const conversation = await openConversation(deps.db, {
    orgId: input.orgId,
    channel: input.channel,
    sessionKey: input.sessionKey,
    userId: input.userId,
  });
  const language = languageOf(input, conversation);
  const intent = classifyMessage(input.message, (input.images ?? []).length > 0);
  if (deps.model) {
    const llm = yield* llmTurn(deps as ChatEngineDeps & { model: ChatModel }, input, conversation, language, intent);
    if (llm) return { ...llm, durationMs: Date.now() - started };
  }
  const outcome = await rulesTurn(deps, input, conversation, language, intent);
  for (const token of wordTokens(outcome.reply)) yield token;
  return {
    conversationId: conversation.id,
    reply: outcome.reply,
    intent: outcome.intent.intent,
    confidence: outcome.intent.confidence,
    language,
    mode: RULES_MODE,
    order: outcome.order,
    interventions: outcome.interventions,
    ticket: outcome.ticket,
    webhookEvents: outcome.webhookEvents,
    durationMs: Date.now() - started,
  };
}

/** One turn, answered whole. */
export async function runChatTurn(deps: ChatEngineDeps, input: ChatTurnInput): Promise<ChatTurnResult> {
  const turn = streamChatTurn(deps, input);
  for (;;) {
    const next = await turn.next();
    if (next.done) return next.value;
  }
}

async function rulesTurn(
  deps: ChatEngineDeps,
  input: ChatTurnInput,
  conversation: Conversation,
  language: ChatLanguage,
  intent: ChatIntentMatch,
): Promise<RulesOutcome> {
  if (input.agent === "support") {
    const answer = await supportTurn(deps.db, deps.tools, input, conversation, intent, language);
    return deps.db.transaction(async (tx) => {
      const raised = await interventionFor(tx, input, conversation, intent);
      const outcome = { ...answer, interventions: raised ? [raised] : [], webhookEvents: raised !== null };
      await saveTurn(tx, input, conversation, language, outcome.reply, outcome.intent, RULES_MODE);
      return outcome;
    });
  }
  return deps.db.transaction(async (tx) => {
    // Two messages of one customer arriving together must not open two orders.
    await lockConversation(tx, conversation);
    const outcome = await ordersTurn(tx, input, conversation, intent, language);
    await saveTurn(tx, input, conversation, language, outcome.reply, outcome.intent, RULES_MODE);
    return outcome;
  });
}

async function saveTurn(
  tx: Parameters<typeof recordTurn>[0],
  input: ChatTurnInput,
  conversation: Conversation,
  language: ChatLanguage,
  reply: string,
  intent: ChatIntentMatch,
  mode: string,
): Promise<void> {
  await recordTurn(tx, conversation, {
    language,
    state: { ...conversation.state, mode, lastIntent: intent.intent },
    messages: [
      {
        role: "user",
        content: input.message,
        intent: intent.intent,
        confidence: intent.confidence,
        attachments: attachmentsOf(input),
        requestId: input.requestId,
      },
      { role: "assistant", content: reply, requestId: input.requestId },
    ],
  });
}

/** The intent a model's tool use shows, over the rules' guess. */
function llmIntent(state: LlmTurnState, fallback: ChatIntentMatch): ChatIntentMatch {
  if (state.toolsUsed.includes("request_human")) return { intent: "human_request", confidence: 0.9, rule: "llm:tool" };
  if (state.toolsUsed.includes("create_ticket"))
    return { intent: "support_request", confidence: 0.9, rule: "llm:tool" };
  if (state.toolsUsed.includes("record_order_slots")) return { intent: "order", confidence: 0.9, rule: "llm:tool" };
  if (state.toolsUsed.includes("search_products"))
    return { intent: "product_search", confidence: 0.9, rule: "llm:tool" };
  return fallback;
}

/** The model's turn, or null when it failed before any text (the rules answer instead). */
async function* llmTurn(
  deps: ChatEngineDeps & { model: ChatModel },
  input: ChatTurnInput,
  conversation: Conversation,
  language: ChatLanguage,
  intent: ChatIntentMatch,
): AsyncGenerator<string, Omit<ChatTurnResult, "durationMs"> | null> {
  const history = await recentMessages(deps.db, input.orgId, conversation.id, HISTORY_FOR_MODEL);
  const state: LlmTurnState = { order: null, interventions: [], ticket: null, toolsUsed: [], webhookEvents: false };
  let reply = "";
  try {
    reply = yield* streamLlmReply(deps, input, conversation, history, language, state);
  } catch (error) {
    console.error(JSON.stringify({ requestId: input.requestId, chatLlm: "failed", error: String(error) }));
    if (reply === "" && state.toolsUsed.length === 0) return null;
  }
  const mode = `llm:${deps.model.id}`;
  const finalIntent = llmIntent(state, intent);
  const order =
    state.order ??
    (input.agent === "orders" ? orderProgress(await latestOrder(deps.db, input.orgId, input.sessionKey)) : null);
  await deps.db.transaction((tx) => saveTurn(tx, input, conversation, language, reply, finalIntent, mode));
  return {
    conversationId: conversation.id,
    reply,
    intent: finalIntent.intent,
    confidence: finalIntent.confidence,
    language,
    mode,
    order,
    interventions: state.interventions,
    ticket: state.ticket,
    webhookEvents: state.webhookEvents,
  };
}
