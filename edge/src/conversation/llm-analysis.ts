import { type CallResult, callResult } from "@switchboard/schema";
import { generateText, type LanguageModel, tool } from "ai";
import { z } from "zod";
import { breakerFor } from "../ops/circuit-breakers.js";
import type { AnalysedTurn, Sentiment } from "./analysis.js";

/**
 * Post-call analysis by a model: result, sentiment, summary and key phrases from the transcript. The model
 * answers through one tool call whose input is checked against the schema below (portable across
 * OpenAI-compatible servers, structured-output support or not); anything else is a failure, and the caller
 * keeps the rules' analysis.
 */

const ANALYSIS_TIMEOUT_MS = 20_000;
const MAX_TRANSCRIPT_CHARS = 20_000;
const MAX_KEY_PHRASES = 10;
export const LLM_ANALYSIS_TOOL = "record_call_analysis";

const sentiment = z.enum(["positive", "neutral", "negative"]);
const analysisInput = z.object({
  result: z.enum(callResult.enumValues).nullable().describe("The call's outcome; null when the call decided nothing"),
  sentiment: sentiment.describe("The contact's attitude over the call"),
  summary: z.string().trim().min(1).max(1_000).describe("Two or three factual sentences about the call"),
  key_phrases: z
    .array(z.string().trim().min(1).max(200))
    .max(MAX_KEY_PHRASES)
    .describe("The contact's telling phrases"),
});

export type LlmCallAnalysis = {
  /** Null when the model may not decide the result (it was fixed) or decided none. */
  result: CallResult | null;
  sentiment: Sentiment;
  summary: string;
  keyPhrases: string[];
};

export type LlmAnalysisRequest = {
  model: LanguageModel;
  language: string;
  turns: readonly AnalysedTurn[];
  durationMs: number | null;
  /** The result is already decided (the scenario's outcome, an answering machine): the model does not change it. */
  resultFixed: boolean;
  currentResult: CallResult | null;
};

export class LlmAnalysisError extends Error {}

export async function analyseCallWithLlm(request: LlmAnalysisRequest): Promise<LlmCallAnalysis> {
  const { toolCalls } = await breakerFor("llm").run(() =>
    generateText({
      model: request.model,
      system: instructions(request),
      prompt: transcript(request),
      tools: {
        [LLM_ANALYSIS_TOOL]: tool({ description: "Record the analysis of the call.", inputSchema: analysisInput }),
      },
      toolChoice: { type: "tool", toolName: LLM_ANALYSIS_TOOL },
      temperature: 0,
      maxRetries: 1,
      abortSignal: AbortSignal.timeout(ANALYSIS_TIMEOUT_MS),
    }),
  );
  const call = toolCalls.find((entry) => entry.toolName === LLM_ANALYSIS_TOOL);
  if (!call) throw new LlmAnalysisError(`The model did not call ${LLM_ANALYSIS_TOOL}`);
  // Checked again here: the SDK hands invalid tool input on as a call marked invalid rather than throwing.
  const parsed = analysisInput.safeParse(call.input);
  if (!parsed.success) throw new LlmAnalysisError(`Invalid analysis from the model: ${z.prettifyError(parsed.error)}`);
  const answer = parsed.data;
  return {
    result: request.resultFixed ? null : answer.result,
    sentiment: answer.sentiment,
    summary: answer.summary,
    keyPhrases: [...new Set(answer.key_phrases)].slice(0, MAX_KEY_PHRASES),
  };
}

function instructions(request: LlmAnalysisRequest): string {
  const result = request.resultFixed
    ? `The call's result is already decided (${request.currentResult ?? "none"}): report it as result.`
    : "Decide the result from what the contact said; null when nothing was decided.";
  return [
    "You analyse a finished phone call between an automated agent and a contact.",
    `Call ${LLM_ANALYSIS_TOOL} once. ${result}`,
    `Write the summary in the call's language (default: ${request.language}). Key phrases are the contact's own words.`,
  ].join(" ");
}

function transcript(request: LlmAnalysisRequest): string {
  const seconds = Math.round((request.durationMs ?? 0) / 1000);
  const lines = request.turns.map((turn) => `${turn.speaker}: ${turn.text}`);
  const text = lines.join("\n").slice(-MAX_TRANSCRIPT_CHARS);
  return `Call of ${seconds} s. Transcript:\n${text || "(nobody spoke)"}`;
}
