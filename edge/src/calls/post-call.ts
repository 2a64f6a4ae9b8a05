import { agents, calls, callTurns } from "@switchboard/schema";
import { and, asc, eq, sql } from "drizzle-orm";
import { ANALYSIS_METHOD, analyseCall } from "../conversation/analysis.js";
import { type ConversationState, conversationState } from "../conversation/engine.js";
import { type Qualification, qualify } from "../conversation/qualification.js";
import { InvalidScenarioError, readScenario } from "../conversation/scenario.js";
import type { Database } from "../db/client.js";

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

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
  const turns = await tx
    .select({
      speaker: callTurns.speaker,
      text: callTurns.text,
      intent: callTurns.intent,
      confidence: callTurns.confidence,
    })
    .from(callTurns)
    .where(and(eq(callTurns.orgId, orgId), eq(callTurns.callId, callId)))
    .orderBy(asc(callTurns.sequence));
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
  const provenance = {
    method: ANALYSIS_METHOD,
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
