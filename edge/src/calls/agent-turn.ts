import { agents, calls } from "@switchboard/schema";
import {
  type AgentTurnResponse,
  agentTurnRequest,
  agentTurnResponse,
  type SpeechSettings,
  type TurnInput,
} from "@switchboard/schema/internal/calls";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { type EngineInput, type EngineReply, restoreState, runScenarioTurn } from "../conversation/engine.js";
import { builtInPhrases } from "../conversation/intents.js";
import {
  type LlmAgentSettings,
  type LlmConversationState,
  restoreLlmState,
  streamLlmTurn,
} from "../conversation/llm.js";
import { openAiCompatibleModel } from "../conversation/llm-provider.js";
import { InvalidScenarioError, mappedIntents, readScenario, type Scenario } from "../conversation/scenario.js";
import type { Database } from "../db/client.js";
import type { AppEnv } from "../env.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { parseInput } from "../shared/validate.js";
import { CONVERSATION_METADATA_KEY } from "./post-call.js";

type AgentRow = typeof agents.$inferSelect;
type CallRow = Pick<typeof calls.$inferSelect, "id" | "orgId" | "agentId" | "metadata">;
type LlmEnv = Pick<AppEnv, "LLM_BASE_URL" | "LLM_API_KEY" | "LLM_MODEL">;

const DEFAULT_SPEECH_VENDOR = "google";
const MAX_HINTS = 100;
/** Full locales for the bare languages agents store. */
const LOCALES: Record<string, string> = { fr: "fr-FR", en: "en-US", es: "es-ES", de: "de-DE", it: "it-IT" };
/** Where the turn log (state revision, latest replies by idempotency key) lives in calls.metadata. */
export const TURNS_METADATA_KEY = "agent_turns";
/** A retry repeats one of the latest turns; older replies are not kept. */
const KEPT_REPLIES = 4;

const answeredTurn = z.object({ attempt: z.number(), key: z.string(), reply: agentTurnResponse });
/** Revision: bumped by every saved turn, so a turn saves only over the state it started from. */
const turnLog = z.object({ revision: z.number().int().min(0), answered: z.array(answeredTurn) });
type TurnLog = z.infer<typeof turnLog>;

/**
 * A turn under way: the agent's speech settings (known before it answers), and its answer, which yields the
 * reply's text as the agent produces it (LLM agents) and returns the whole reply once the new state is saved.
 * The answer throws ConflictError when another turn of the call was saved meanwhile.
 */
export type AgentTurn = { speech: SpeechSettings; answer: AsyncGenerator<string, AgentTurnResponse> };

/**
 * The agent's answer to what just happened on a call (media node → edge). Loads the call and its agent
 * (the organisation comes from the call row), runs the conversation engine and saves its state in
 * calls.metadata.conversation. No lock is held while the engine runs (a model may take 15 s): the state is
 * saved only if no other turn saved since it was read (optimistic concurrency on the turn log's revision).
 * A request repeating an answered idempotency key gets the stored reply. The transcript is not written here:
 * the media node reports spoken turns as events.
 * Everything that can refuse the turn (unknown call, no agent, no LLM configured) throws before it starts.
 */
export async function startAgentTurn(db: Database, env: LlmEnv, callId: string, input: unknown): Promise<AgentTurn> {
  const request = parseInput(agentTurnRequest, input, "Invalid agent turn");
  if (!isUuid(callId)) throw new NotFoundError(`Call ${callId}`);
  const call = await readCall(db, callId);
  const [agent] = call.agentId
    ? await db
        .select()
        .from(agents)
        .where(and(eq(agents.orgId, call.orgId), eq(agents.id, call.agentId)))
    : [];
  if (!agent) throw new ConflictError(`Call ${callId} has no agent`);
  const log = readTurnLog(call.metadata);
  const turn: TurnIdentity = { attempt: request.attempt, key: request.idempotency_key ?? null };
  const replay = answeredReply(log, turn);
  if (replay) return { speech: replay.speech, answer: atOnce(replay) };
  const stored = call.metadata[CONVERSATION_METADATA_KEY];
  const said = engineInput(request.input);
  if (agent.mode === "llm") {
    const settings = llmSettings(agent, env);
    const speech = speechSettings(agent, null);
    const engineTurn = llmTurn(settings, agent, callId, restoreLlmState(stored, request.attempt), said);
    return { speech, answer: runTurn(db, call, log, turn, speech, engineTurn) };
  }
  const scenario = scenarioOf(agent);
  const speech = speechSettings(agent, scenario);
  const engineTurn = atOnce(
    runScenarioTurn(scenario, restoreState(stored, request.attempt), said, {
      language: agent.language,
      voicemailMessage: voicemailSetting(agent),
    }),
  );
  return { speech, answer: runTurn(db, call, log, turn, speech, engineTurn) };
}

/** The whole reply at once (the plain JSON answer of the turn endpoint). */
export async function answerTurn(
  db: Database,
  env: LlmEnv,
  callId: string,
  input: unknown,
): Promise<AgentTurnResponse> {
  return finishTurn(await startAgentTurn(db, env, callId, input));
}

/** Runs a started turn to its end, ignoring the streamed text. */
export async function finishTurn(turn: AgentTurn): Promise<AgentTurnResponse> {
  for (;;) {
    const next = await turn.answer.next();
    if (next.done) return next.value;
  }
}

type TurnIdentity = { attempt: number; key: string | null };
type TurnOutcome = { reply: EngineReply; state: unknown };
type EngineTurn = AsyncGenerator<string, TurnOutcome>;

async function* runTurn(
  db: Database,
  call: CallRow,
  log: TurnLog,
  turn: TurnIdentity,
  speech: SpeechSettings,
  engineTurn: EngineTurn,
): AgentTurn["answer"] {
  const outcome = yield* engineTurn;
  const response = turnResponse(outcome.reply, speech);
  const answered = turn.key
    ? [...log.answered, { attempt: turn.attempt, key: turn.key, reply: response }]
    : log.answered;
  const next: TurnLog = { revision: log.revision + 1, answered: answered.slice(-KEPT_REPLIES) };
  const saved = await db
    .update(calls)
    .set({ metadata: mergeMetadata({ [CONVERSATION_METADATA_KEY]: outcome.state, [TURNS_METADATA_KEY]: next }) })
    .where(
      and(
        eq(calls.orgId, call.orgId),
        eq(calls.id, call.id),
        sql`coalesce((${calls.metadata} -> ${TURNS_METADATA_KEY}::text ->> 'revision')::int, 0) = ${log.revision}`,
      ),
    )
    .returning({ id: calls.id });
  if (saved.length > 0) return response;
  // Another request saved first. If it was this same turn (a retry that overtook us), its reply is the answer.
  const winner = answeredReply(readTurnLog((await readCall(db, call.id)).metadata), turn);
  if (winner) return winner;
  throw new ConflictError(`Call ${call.id}: another turn of this call was answered meanwhile; ask again`);
}

/** A turn with nothing to stream (a replay, a scenario reply): its answer at once. */
async function* atOnce<T>(value: T): AsyncGenerator<string, T> {
  yield* [];
  return value;
}

async function readCall(db: Database, callId: string): Promise<CallRow> {
  const [call] = await db
    .select({ id: calls.id, orgId: calls.orgId, agentId: calls.agentId, metadata: calls.metadata })
    .from(calls)
    .where(eq(calls.id, callId));
  if (!call) throw new NotFoundError(`Call ${callId}`);
  return call;
}

function readTurnLog(metadata: Record<string, unknown>): TurnLog {
  const parsed = turnLog.safeParse(metadata[TURNS_METADATA_KEY]);
  return parsed.success ? parsed.data : { revision: 0, answered: [] };
}

function answeredReply(log: TurnLog, turn: TurnIdentity): AgentTurnResponse | null {
  if (!turn.key) return null;
  return log.answered.find((entry) => entry.attempt === turn.attempt && entry.key === turn.key)?.reply ?? null;
}

/** Replaces some top-level keys of calls.metadata in one write, leaving the others alone. */
function mergeMetadata(values: Record<string, unknown>) {
  return sql`coalesce(${calls.metadata}, '{}'::jsonb) || ${JSON.stringify(values)}::jsonb`;
}

function turnResponse(reply: EngineReply, speech: SpeechSettings): AgentTurnResponse {
  return {
    say: reply.say,
    action: reply.action,
    transfer_to: reply.transferTo,
    gather_timeout_s: reply.gatherTimeoutSeconds,
    barge_in: reply.bargeIn,
    step: reply.step,
    intent: reply.intent,
    speech,
  };
}

/** The model and settings of an LLM agent; refused when no provider is configured. */
function llmSettings(agent: AgentRow, env: LlmEnv): LlmAgentSettings & { modelId: string } {
  if (!env.LLM_BASE_URL) throw new ConflictError(`LLM agents need LLM_BASE_URL (agent ${agent.slug})`);
  const modelId = agent.llmModel?.trim() || env.LLM_MODEL;
  return {
    modelId,
    model: openAiCompatibleModel({ baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY }, modelId),
    systemPrompt: agent.systemPrompt,
    temperature: agent.temperature,
    language: agent.language,
    transferNumbers: transferNumbers(agent),
    voicemailMessage: voicemailSetting(agent),
  };
}

/** One LLM turn, streamed; a provider failure is logged and answered with the engine's polite fallback. */
async function* llmTurn(
  settings: LlmAgentSettings & { modelId: string },
  agent: AgentRow,
  callId: string,
  state: LlmConversationState,
  input: EngineInput,
): EngineTurn {
  const outcome = yield* streamLlmTurn(settings, state, input);
  if (outcome.error) {
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    console.error(
      JSON.stringify({
        event: "llm_turn_failed",
        call_id: callId,
        agent: agent.slug,
        model: settings.modelId,
        message,
      }),
    );
  }
  return outcome;
}

/** voice_parameters.transfer_numbers: where the LLM may transfer a caller. */
function transferNumbers(agent: AgentRow): string[] {
  const value = agent.voiceParameters?.transfer_numbers;
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === "string") : [];
}

/** The scenario a scenario agent runs. */
function scenarioOf(agent: AgentRow): Scenario {
  try {
    return readScenario(agent.scenario);
  } catch (error) {
    if (error instanceof InvalidScenarioError) throw new ConflictError(`Agent ${agent.slug}: ${error.message}`);
    throw error;
  }
}

function engineInput(input: TurnInput): EngineInput {
  switch (input.kind) {
    case "speech":
      return { kind: "utterance", text: input.transcript };
    case "dtmf":
      return { kind: "keypad", digits: input.digits };
    default:
      return input;
  }
}

function voicemailSetting(agent: AgentRow): string | null {
  const value = agent.voiceParameters?.voicemail_message;
  return typeof value === "string" && value.trim() ? value : null;
}

/** Synthesizer and recogniser from the agent's providers, language and voice parameters. */
export function speechSettings(agent: AgentRow, scenario: Scenario | null): SpeechSettings {
  const parameters = agent.voiceParameters ?? {};
  const language = stringParameter(parameters, "language") ?? localeOf(agent.language);
  const voice = stringParameter(parameters, "voice") ?? stringParameter(parameters, "voice_name");
  return {
    synthesizer: { vendor: agent.ttsProvider ?? DEFAULT_SPEECH_VENDOR, language, voice },
    recognizer: {
      vendor: agent.sttProvider ?? DEFAULT_SPEECH_VENDOR,
      language: stringParameter(parameters, "recognizer_language") ?? language,
      hints: scenario ? recogniserHints(scenario) : [],
    },
  };
}

/** The scenario's own keywords first, then the built-in phrases of the intents its steps map. */
function recogniserHints(scenario: Scenario): string[] {
  const hints = new Set([...Object.values(scenario.intentKeywords).flat(), ...builtInPhrases(mappedIntents(scenario))]);
  return [...hints].filter((hint) => hint.length <= 100).slice(0, MAX_HINTS);
}

function localeOf(language: string): string {
  return language.includes("-") ? language : (LOCALES[language.toLowerCase()] ?? language);
}

function stringParameter(parameters: Record<string, unknown>, key: string): string | null {
  const value = parameters[key];
  return typeof value === "string" && value.trim() ? value : null;
}
