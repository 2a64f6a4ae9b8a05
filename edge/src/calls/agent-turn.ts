import { agents, calls } from "@switchboard/schema";
import {
  type AgentTurnResponse,
  agentTurnRequest,
  type SpeechSettings,
  type TurnInput,
} from "@switchboard/schema/internal/calls";
import { and, eq } from "drizzle-orm";
import { type EngineInput, type EngineReply, restoreState, runScenarioTurn } from "../conversation/engine.js";
import { builtInPhrases } from "../conversation/intents.js";
import { type LlmConversationState, restoreLlmState, runLlmTurn } from "../conversation/llm.js";
import { openAiCompatibleModel } from "../conversation/llm-provider.js";
import { InvalidScenarioError, mappedIntents, readScenario, type Scenario } from "../conversation/scenario.js";
import type { Database } from "../db/client.js";
import type { AppEnv } from "../env.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { parseInput } from "../shared/validate.js";
import { CONVERSATION_METADATA_KEY, setMetadataKey } from "./post-call.js";

type AgentRow = typeof agents.$inferSelect;
type LlmEnv = Pick<AppEnv, "LLM_BASE_URL" | "LLM_API_KEY" | "LLM_MODEL">;

const DEFAULT_SPEECH_VENDOR = "google";
const MAX_HINTS = 100;
/** Full locales for the bare languages agents store. */
const LOCALES: Record<string, string> = { fr: "fr-FR", en: "en-US", es: "es-ES", de: "de-DE", it: "it-IT" };

/**
 * The agent's answer to what just happened on a call (media node → edge). Loads the call and its agent
 * (the organisation comes from the call row), runs the conversation engine and saves its state in
 * calls.metadata.conversation. The transcript is not written here: the media node reports spoken turns
 * as events.
 */
export async function answerTurn(
  db: Database,
  env: LlmEnv,
  callId: string,
  input: unknown,
): Promise<AgentTurnResponse> {
  const request = parseInput(agentTurnRequest, input, "Invalid agent turn");
  if (!isUuid(callId)) throw new NotFoundError(`Call ${callId}`);
  return db.transaction(async (tx) => {
    // The lock keeps two turns of one call from both starting from the same state.
    const [call] = await tx
      .select({ id: calls.id, orgId: calls.orgId, agentId: calls.agentId, metadata: calls.metadata })
      .from(calls)
      .where(eq(calls.id, callId))
      .for("update");
    if (!call) throw new NotFoundError(`Call ${callId}`);
    if (!call.agentId) throw new ConflictError(`Call ${callId} has no agent`);
    const [agent] = await tx
      .select()
      .from(agents)
      .where(and(eq(agents.orgId, call.orgId), eq(agents.id, call.agentId)));
    if (!agent) throw new ConflictError(`Call ${callId} has no agent`);
    const stored = call.metadata[CONVERSATION_METADATA_KEY];
    const input = engineInput(request.input);
    let scenario: Scenario | null = null;
    let outcome: TurnOutcome;
    if (agent.mode === "llm") {
      // The row stays locked while the model answers: a second turn of this call waits for this one.
      outcome = await llmTurn(agent, env, callId, restoreLlmState(stored, request.attempt), input);
    } else {
      scenario = scenarioOf(agent);
      outcome = runScenarioTurn(scenario, restoreState(stored, request.attempt), input, {
        language: agent.language,
        voicemailMessage: voicemailSetting(agent),
      });
    }
    const { reply, state: next } = outcome;
    await tx
      .update(calls)
      .set({ metadata: setMetadataKey(CONVERSATION_METADATA_KEY, next) })
      .where(and(eq(calls.orgId, call.orgId), eq(calls.id, call.id)));
    return {
      say: reply.say,
      action: reply.action,
      transfer_to: reply.transferTo,
      gather_timeout_s: reply.gatherTimeoutSeconds,
      barge_in: reply.bargeIn,
      step: reply.step,
      intent: reply.intent,
      speech: speechSettings(agent, scenario),
    };
  });
}

type TurnOutcome = { reply: EngineReply; state: unknown };

/** One LLM turn; a provider failure is logged and answered with the engine's polite fallback. */
async function llmTurn(
  agent: AgentRow,
  env: LlmEnv,
  callId: string,
  state: LlmConversationState,
  input: EngineInput,
): Promise<TurnOutcome> {
  if (!env.LLM_BASE_URL) throw new ConflictError(`LLM agents need LLM_BASE_URL (agent ${agent.slug})`);
  const modelId = agent.llmModel?.trim() || env.LLM_MODEL;
  const model = openAiCompatibleModel({ baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY }, modelId);
  const outcome = await runLlmTurn(
    {
      model,
      systemPrompt: agent.systemPrompt,
      temperature: agent.temperature,
      language: agent.language,
      transferNumbers: transferNumbers(agent),
      voicemailMessage: voicemailSetting(agent),
    },
    state,
    input,
  );
  if (outcome.error) {
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    console.error(
      JSON.stringify({ event: "llm_turn_failed", call_id: callId, agent: agent.slug, model: modelId, message }),
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
