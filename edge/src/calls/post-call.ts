import { agents, calls, callTurns } from "@switchboard/schema";
import { and, asc, eq, sql } from "drizzle-orm";
import { ANALYSIS_METHOD, type AnalysedTurn, analyseCall } from "../conversation/analysis.js";
import { type ConversationState, conversationState } from "../conversation/engine.js";
import { analyseCallWithLlm } from "../conversation/llm-analysis.js";
import { openAiCompatibleModel } from "../conversation/llm-provider.js";
import { type Qualification, qualify } from "../conversation/qualification.js";
import { InvalidScenarioError, readScenario } from "../conversation/scenario.js";
import type { Database, Transaction } from "../db/client.js";
import type { AppEnv } from "../env.js";

/** Where a call's conversation state lives in calls.metadata. */
export const CONVERSATION_METADATA_KEY = "conversation";
/** Where the analysis' provenance (method, rules, score) lives in calls.metadata. */
export const ANALYSIS_METADATA_KEY = "analysis";

/**
 * Fills a completed call's result, sentiment, confidence, summary and key phrases from what is stored now
 * (conversation state, AMD verdict, transcript). Runs again when a turn or verdict arrives after completion,
 * so the order the media node's reports land in does not change the outcome.
 */
export async function analyseCompletedCall(tx: Transaction, orgId: string, callId: string): Promise<void> {
  const [call] = await tx
    .select({
      amdResult: calls.amdResult,
      durationMs: calls.durationMs,
      metadata: calls.metadata,
      scenario: agents.scenario,
      agentMode: agents.mode,
    })
    .from(calls)
    .leftJoin(agents, and(eq(agents.orgId, calls.orgId), eq(agents.id, calls.agentId)))
    .where(and(eq(calls.orgId, orgId), eq(calls.id, callId)));
  if (!call) return;
  const turns = await transcriptOf(tx, orgId, callId);
  const state = storedConversation(call.metadata);
  const qualification = call.agentMode === "scenario" ? qualificationOf(call.scenario, state) : null;
  const analysis = analyseCall({
    amdResult: call.amdResult,
    conversationOutcome: state?.outcome ?? null,
    qualification,
    turns,
    durationMs: call.durationMs,
    lastStep: state?.step ?? null,
  });
  const provenance: AnalysisProvenance = {
    method: ANALYSIS_METHOD,
    source: ANALYSIS_METHOD,
    // Each run of the rules supersedes the last; a model's refinement applies only to the run it started from.
    revision: analysisRevision(call.metadata) + 1,
    result_rule: analysis.resultRule,
    sentiment_score: analysis.sentimentScore,
    qualification_percent: qualification?.scorePercent ?? null,
  };
  await tx
    .update(calls)
    .set({
      result: analysis.result,
      sentiment: analysis.sentiment,
      confidence: analysis.confidence,
      summary: analysis.summary,
      keyPhrases: analysis.keyPhrases,
      metadata: setMetadataKey(ANALYSIS_METADATA_KEY, provenance),
    })
    .where(and(eq(calls.orgId, orgId), eq(calls.id, callId)));
}

/** calls.metadata.analysis: which source produced the stored analysis, and from what. */
type AnalysisProvenance = {
  method: string;
  /** `rules:v1`, or `llm:<model>` once a model refined it. */
  source: string;
  revision: number;
  result_rule: string;
  sentiment_score: number;
  qualification_percent: number | null;
  /** Why the model's refinement was not applied (the rules' analysis stands). */
  llm_failure?: string;
};

function analysisRevision(metadata: Record<string, unknown> | null): number {
  const revision = (metadata?.[ANALYSIS_METADATA_KEY] as { revision?: unknown } | undefined)?.revision;
  return typeof revision === "number" ? revision : 0;
}

type LlmEnv = Pick<AppEnv, "LLM_BASE_URL" | "LLM_API_KEY" | "LLM_MODEL">;

/**
 * After the event's transaction committed: refines a completed call's rules analysis with the configured
 * model (summary, sentiment, key phrases, and the result unless the conversation or AMD fixed it). Any failure
 * leaves the rules' analysis and notes why; a refinement of an analysis the rules ran again meanwhile (a late
 * turn) is dropped, the newer run gets its own.
 */
export async function refineAnalysisWithLlm(db: Database, env: LlmEnv, callId: string): Promise<void> {
  if (!env.LLM_BASE_URL) return;
  const [call] = await db
    .select({
      orgId: calls.orgId,
      status: calls.status,
      result: calls.result,
      durationMs: calls.durationMs,
      metadata: calls.metadata,
      agentMode: agents.mode,
      agentModel: agents.llmModel,
      language: agents.language,
    })
    .from(calls)
    .leftJoin(agents, and(eq(agents.orgId, calls.orgId), eq(agents.id, calls.agentId)))
    .where(eq(calls.id, callId));
  const provenance = call?.metadata[ANALYSIS_METADATA_KEY] as AnalysisProvenance | undefined;
  if (call?.status !== "completed" || provenance?.source !== ANALYSIS_METHOD || provenance.llm_failure) return;
  const turns = await transcriptOf(db, call.orgId, callId);
  const modelId = (call.agentMode === "llm" && call.agentModel?.trim()) || env.LLM_MODEL;
  const resultFixed = resultIsFixed(call.agentMode, provenance.result_rule);
  const where = and(
    eq(calls.orgId, call.orgId),
    eq(calls.id, callId),
    sql`(${calls.metadata} -> ${ANALYSIS_METADATA_KEY}::text ->> 'revision')::int = ${provenance.revision}`,
  );
  try {
    const analysis = await analyseCallWithLlm({
      model: openAiCompatibleModel({ baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY }, modelId),
      language: call.language ?? "en",
      turns,
      durationMs: call.durationMs,
      resultFixed,
      currentResult: call.result,
    });
    await db
      .update(calls)
      .set({
        ...(resultFixed ? {} : { result: analysis.result }),
        sentiment: analysis.sentiment,
        summary: analysis.summary,
        keyPhrases: analysis.keyPhrases,
        metadata: setMetadataKey(ANALYSIS_METADATA_KEY, { ...provenance, source: `llm:${modelId}` }),
      })
      .where(where);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    console.error(JSON.stringify({ event: "llm_analysis_failed", call_id: callId, model: modelId, message }));
    await db
      .update(calls)
      .set({ metadata: setMetadataKey(ANALYSIS_METADATA_KEY, { ...provenance, llm_failure: message }) })
      .where(where);
  }
}

/** The conversation's own outcome (a scenario's, an LLM agent's end_call) and an answering machine stand. */
function resultIsFixed(agentMode: string | null, resultRule: string): boolean {
  return agentMode !== "llm" || resultRule === "scenario:outcome" || resultRule === "rules:amd-machine";
}

/** The call's spoken turns, in order. */
function transcriptOf(db: Database | Transaction, orgId: string, callId: string): Promise<AnalysedTurn[]> {
  return db
    .select({
      speaker: callTurns.speaker,
      text: callTurns.text,
      intent: callTurns.intent,
      confidence: callTurns.confidence,
    })
    .from(callTurns)
    .where(and(eq(callTurns.orgId, orgId), eq(callTurns.callId, callId)))
    .orderBy(asc(callTurns.sequence));
}

export function storedConversation(metadata: Record<string, unknown> | null): ConversationState | null {
  const parsed = conversationState.safeParse(metadata?.[CONVERSATION_METADATA_KEY]);
  return parsed.success ? parsed.data : null;
}

/** Qualification counts only once the contact answered at least one determinant step. */
function qualificationOf(document: unknown, state: ConversationState | null): Qualification | null {
  if (!state || !document) return null;
  try {
    const scenario = readScenario(document);
    const answeredDeterminant = [...scenario.steps.values()].some(
      (step) => step.determinantWeight !== null && step.name in state.answers,
    );
    return answeredDeterminant ? qualify(scenario, state.answers) : null;
  } catch (error) {
    if (error instanceof InvalidScenarioError) return null;
    throw error;
  }
}

/** Replaces one top-level key of calls.metadata, leaving the others (the dialer's, the conversation's) alone. */
export function setMetadataKey(key: string, value: unknown) {
  return sql`jsonb_set(coalesce(${calls.metadata}, '{}'::jsonb), ${`{${key}}`}::text[], ${JSON.stringify(value)}::jsonb, true)`;
}
