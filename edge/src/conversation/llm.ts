import { callResult } from "@switchboard/schema";
import { type LanguageModel, type ModelMessage, streamText, type ToolSet, tool } from "ai";
import { z } from "zod";
import { breakerFor } from "../ops/circuit-breakers.js";
import { conversationState, type EngineInput, type EngineReply, initialState } from "./engine.js";

/**
 * The LLM mode of the conversation engine: one model call per turn, with the agent's system prompt, the
 * conversation so far and two tools that become the turn's action: end_call, and transfer_call when the
 * agent has voice_parameters.transfer_numbers. The state lives in calls.metadata.conversation like the
 * scenario engine's (same outcome/ended fields, so the post-call rules read an LLM call's result the same
 * way), plus the messages of this dial. It is the history the model sees: call_turns are reported by the
 * media node after the fact and may still be in flight when the next turn is asked.
 */

const GATHER_TIMEOUT_SECONDS = 8;
/** The caller is waiting on the line: one attempt, bounded, then the polite fallback. */
const MODEL_TIMEOUT_MS = 15_000;
/** Enough context for a phone call; older turns fall off so a long call cannot grow the prompt forever. */
const MAX_HISTORY_MESSAGES = 40;
export const LLM_STEP = "llm";

const historyMessage = z.object({ role: z.enum(["user", "assistant"]), content: z.string() });
export const llmConversationState = conversationState.extend({
  mode: z.literal("llm"),
  messages: z.array(historyMessage),
});
export type LlmConversationState = z.infer<typeof llmConversationState>;

export type LlmAgentSettings = {
  model: LanguageModel;
  systemPrompt: string | null;
  temperature: number | null;
  language: string;
  /** Destinations transfer_call may use; a transfer anywhere else is refused (toll-fraud guard). */
  transferNumbers: string[];
  voicemailMessage: string | null;
};

export type LlmTurnOutcome = { reply: EngineReply; state: LlmConversationState; error: unknown | null };

export function restoreLlmState(stored: unknown, attempt: number): LlmConversationState {
  const parsed = llmConversationState.safeParse(stored);
  if (!parsed.success || parsed.data.attempt < attempt) {
    return { ...initialState(attempt), step: LLM_STEP, mode: "llm", messages: [] };
  }
  return parsed.data;
}

const endCallInput = z.object({
  reason: z.string().describe("Why the call ends, in a few words"),
  result: z.enum(callResult.enumValues).describe("The call's outcome"),
});
const transferCallInput = z.object({ to: z.string() });

/** end_call always; transfer_call only for an agent with destinations, which it may only pick from. */
function callTools(transferNumbers: string[]): ToolSet {
  const endCall = tool({
    description: "End the call once the conversation is over (say goodbye in the same reply).",
    inputSchema: endCallInput,
  });
  const [firstNumber, ...otherNumbers] = transferNumbers;
  if (firstNumber === undefined) return { end_call: endCall };
  const transferCall = tool({
    description: "Transfer the caller to a human colleague (say so in the same reply).",
    inputSchema: z.object({
      to: z.enum([firstNumber, ...otherNumbers]).describe("The number to transfer the caller to"),
    }),
  });
  return { transfer_call: transferCall, end_call: endCall };
}

const PHONE_RULES =
  "You are speaking on a phone call: answer in short spoken sentences, no lists, no markdown. " +
  "Call end_call when the conversation is over and transfer_call when the caller wants a human.";

function systemPrompt(settings: LlmAgentSettings): string {
  const own = settings.systemPrompt?.trim() ?? "";
  return [own, PHONE_RULES, `Speak the caller's language (default: ${settings.language}).`]
    .filter(Boolean)
    .join("\n\n");
}

/** What the caller did, as the user message the model answers; null for a voicemail with a set message. */
function userMessage(input: EngineInput): string {
  switch (input.kind) {
    case "start":
      return "[The call was just answered. Greet the caller.]";
    case "utterance":
      return input.text;
    case "keypad":
      return `[The caller pressed the keys ${input.digits}.]`;
    case "silence":
      return "[The caller said nothing.]";
    case "voicemail":
      return "[An answering machine picked up. Leave a short message, then call end_call with result answering_machine.]";
  }
}

const ENGLISH_FALLBACK = "I'm sorry, I'm having a technical problem. We will call you back. Goodbye.";
const FALLBACK: Record<string, string> = {
  fr: "Je suis désolé, je rencontre un problème technique. Nous vous rappellerons. Au revoir.",
  en: ENGLISH_FALLBACK,
};

function fallbackSentence(language: string): string {
  return FALLBACK[language.slice(0, 2).toLowerCase()] ?? ENGLISH_FALLBACK;
}

const ENGLISH_REFUSED_TRANSFER = "I can't transfer you right now. How else can I help you?";
const REFUSED_TRANSFER: Record<string, string> = {
  fr: "Je ne peux pas vous transférer pour le moment. Comment puis-je vous aider autrement ?",
  en: ENGLISH_REFUSED_TRANSFER,
};

function refusedTransferSentence(language: string): string {
  return REFUSED_TRANSFER[language.slice(0, 2).toLowerCase()] ?? ENGLISH_REFUSED_TRANSFER;
}

function reply(partial: Partial<EngineReply> & Pick<EngineReply, "say" | "action">): EngineReply {
  return {
    transferTo: null,
    step: null,
    intent: null,
    rule: null,
    gatherTimeoutSeconds: GATHER_TIMEOUT_SECONDS,
    bargeIn: true,
    outcome: null,
    ...partial,
  };
}

type ModelAnswer = { text: string; toolCall: { name: string; input: unknown } | null };

/**
 * Asks the model and yields its text as it arrives (the caller hears the first sentence while the rest is
 * written), then returns the whole answer. Throws the provider's own error (status, message), which says more
 * than the SDK's "no output generated".
 */
async function* askModel(settings: LlmAgentSettings, messages: ModelMessage[]): AsyncGenerator<string, ModelAnswer> {
  // The LLM circuit breaker: while open, the turn fails at once (and the caller falls back) instead of waiting.
  const attempt = breakerFor("llm").attempt();
  try {
    const answer = yield* streamModel(settings, messages);
    attempt.succeeded();
    return answer;
  } catch (error) {
    attempt.failed();
    throw error;
  }
}

async function* streamModel(settings: LlmAgentSettings, messages: ModelMessage[]): AsyncGenerator<string, ModelAnswer> {
  const result = streamText({
    model: settings.model,
    system: systemPrompt(settings),
    messages,
    tools: callTools(settings.transferNumbers),
    temperature: settings.temperature ?? undefined,
    maxRetries: 0,
    abortSignal: AbortSignal.timeout(MODEL_TIMEOUT_MS),
    // Errors arrive as stream parts below; the default handler would only log them again.
    onError: () => {},
  });
  let text = "";
  let toolCall: ModelAnswer["toolCall"] = null;
  for await (const part of result.fullStream) {
    if (part.type === "error") throw part.error;
    if (part.type === "abort") throw new Error("The model did not answer in time");
    if (part.type === "text-delta" && part.text) {
      text += part.text;
      yield part.text;
    }
    if (part.type === "tool-call" && !toolCall) toolCall = { name: part.toolName, input: part.input };
  }
  return { text: text.trim(), toolCall };
}

/** One turn, the reply's text yielded as the model writes it; the outcome holds the whole reply and new state. */
export async function* streamLlmTurn(
  settings: LlmAgentSettings,
  state: LlmConversationState,
  input: EngineInput,
): AsyncGenerator<string, LlmTurnOutcome> {
  if (state.ended) return { reply: reply({ say: null, action: "hangup", outcome: state.outcome }), state, error: null };
  if (input.kind === "voicemail" && settings.voicemailMessage) {
    const ended = { ...state, ended: true, outcome: "answering_machine" as const };
    return {
      reply: reply({ say: settings.voicemailMessage, action: "hangup", outcome: ended.outcome }),
      state: ended,
      error: null,
    };
  }
  const asked = [...state.messages, { role: "user" as const, content: userMessage(input) }];
  let answer: ModelAnswer;
  try {
    answer = yield* askModel(settings, asked);
  } catch (error) {
    // Never invent an answer: apologise and end the call; the dialer's retry rules take it from there.
    const say = fallbackSentence(settings.language);
    return { reply: reply({ say, action: "hangup" }), state: { ...state, ended: true }, error };
  }
  return applyAnswer(settings, { ...state, messages: asked }, answer);
}

/** One turn, answered whole. */
export async function runLlmTurn(
  settings: LlmAgentSettings,
  state: LlmConversationState,
  input: EngineInput,
): Promise<LlmTurnOutcome> {
  const turn = streamLlmTurn(settings, state, input);
  for (;;) {
    const next = await turn.next();
    if (next.done) return next.value;
  }
}

function applyAnswer(settings: LlmAgentSettings, state: LlmConversationState, answer: ModelAnswer): LlmTurnOutcome {
  const say = answer.text || null;
  const messages = say ? [...state.messages, { role: "assistant" as const, content: say }] : state.messages;
  const next = { ...state, messages: messages.slice(-MAX_HISTORY_MESSAGES) };
  const call = answer.toolCall;
  if (call?.name === "end_call") {
    const parsed = endCallInput.safeParse(call.input);
    const outcome = parsed.success ? parsed.data.result : null;
    return {
      reply: reply({ say, action: "hangup", intent: "end_call", outcome }),
      state: { ...next, ended: true, outcome },
      error: null,
    };
  }
  if (call?.name === "transfer_call") {
    const parsed = transferCallInput.safeParse(call.input);
    const to = parsed.success ? parsed.data.to.trim() : "";
    if (settings.transferNumbers.includes(to)) {
      return {
        reply: reply({ say, action: "transfer", transferTo: to, intent: "transfer_call" }),
        state: { ...next, ended: true },
        error: null,
      };
    }
    // The model announced a transfer it may not make: say so instead, and keep the conversation going.
    const refusal = refusedTransferSentence(settings.language);
    const refused = new Error(`transfer_call to a number the agent does not allow: ${to || "(none)"}`);
    const kept = { ...state, messages: [...state.messages, { role: "assistant" as const, content: refusal }] };
    return {
      reply: reply({ say: refusal, action: "continue", intent: "transfer_call" }),
      state: { ...kept, messages: kept.messages.slice(-MAX_HISTORY_MESSAGES) },
      error: refused,
    };
  }
  return { reply: reply({ say, action: "continue" }), state: next, error: null };
}
