import type { CallResult } from "@switchboard/schema";
import { matchedPhrases, normaliseText, recogniseSpeech } from "./intents.js";
import type { Qualification } from "./qualification.js";

/**
 * Post-call analysis by deterministic rules (no model). Each conclusion carries the name of the rule that
 * reached it, stored with the call so nobody mistakes it for an LLM's judgement.
 */

export type AnalysedTurn = {
  speaker: "agent" | "contact" | "system";
  text: string;
  intent: string | null;
  confidence: number | null;
};

export type AnalysisInput = {
  amdResult: "human" | "machine" | "unknown" | null;
  /** The result the conversation itself reached (a terminal step, voicemail, callback…). */
  conversationOutcome: CallResult | null;
  /** Qualification over the answers given, when the scenario has determinant steps and some were answered. */
  qualification: Qualification | null;
  turns: readonly AnalysedTurn[];
  durationMs: number | null;
  lastStep: string | null;
};

export type Sentiment = "positive" | "neutral" | "negative";

export type CallAnalysis = {
  result: CallResult | null;
  resultRule: string;
  sentiment: Sentiment;
  sentimentScore: number;
  /** Mean recogniser confidence of the contact's turns, when reported. */
  confidence: number | null;
  summary: string;
  keyPhrases: string[];
};

export const ANALYSIS_METHOD = "rules:v1";
const MAX_KEY_PHRASES = 10;

/** Words that tilt sentiment, French and English, matched as whole words without accents. */
const POSITIVE_WORDS = [
  "merci",
  "parfait",
  "super",
  "genial",
  "excellent",
  "interessant",
  "volontiers",
  "avec plaisir",
  "bien sur",
  "tres bien",
  "great",
  "thanks",
  "thank you",
  "perfect",
  "wonderful",
  "interesting",
  "happy",
  "glad",
  "lovely",
];
const NEGATIVE_WORDS = [
  "non",
  "arretez",
  "pas interesse",
  "pas interessee",
  "ennuyeux",
  "agace",
  "enerve",
  "harcelement",
  "arnaque",
  "jamais",
  "stop",
  "annoying",
  "never",
  "not interested",
  "angry",
  "harassment",
  "scam",
  "waste of time",
];
const RESULT_SENTIMENT: Partial<Record<CallResult, number>> = { lead: 1, not_interested: -1, wrong_number: -1 };

/** What the contact's own words say, strongest first. */
const TURN_INTENT_RESULTS: ReadonlyArray<[string, CallResult]> = [
  ["wrong_number", "wrong_number"],
  ["callback", "callback"],
  ["not_interested", "not_interested"],
];

export function analyseCall(input: AnalysisInput): CallAnalysis {
  const contactTurns = input.turns.filter((turn) => turn.speaker === "contact");
  const { result, rule } = decideResult(input, contactTurns);
  const sentimentScore = lexiconScore(contactTurns) + (result ? (RESULT_SENTIMENT[result] ?? 0) : 0);
  return {
    result,
    resultRule: rule,
    sentiment: sentimentScore > 0 ? "positive" : sentimentScore < 0 ? "negative" : "neutral",
    sentimentScore,
    confidence: meanConfidence(contactTurns),
    summary: summarise(input, contactTurns.length, result, rule),
    keyPhrases: keyPhrases(contactTurns),
  };
}

function decideResult(input: AnalysisInput, contactTurns: AnalysedTurn[]): { result: CallResult | null; rule: string } {
  if (input.amdResult === "machine") return { result: "answering_machine", rule: "rules:amd-machine" };
  if (input.conversationOutcome) return { result: input.conversationOutcome, rule: "scenario:outcome" };
  if (input.qualification) return { result: input.qualification.result, rule: "rules:qualification" };
  const intents = new Set(contactTurns.flatMap(turnIntents));
  for (const [intent, result] of TURN_INTENT_RESULTS) {
    if (intents.has(intent)) return { result, rule: `rules:turn-intent:${intent}` };
  }
  if (contactTurns.length === 0) return { result: "no_answer", rule: "rules:contact-silent" };
  return { result: null, rule: "rules:inconclusive" };
}

function turnIntents(turn: AnalysedTurn): string[] {
  const recognised = recogniseSpeech(turn.text).map((match) => match.intent);
  return turn.intent ? [turn.intent, ...recognised] : recognised;
}

function lexiconScore(contactTurns: AnalysedTurn[]): number {
  let score = 0;
  for (const turn of contactTurns) {
    const text = normaliseText(turn.text);
    score += POSITIVE_WORDS.filter((word) => text.includes(` ${word} `)).length;
    score -= NEGATIVE_WORDS.filter((word) => text.includes(` ${word} `)).length;
  }
  return score;
}

function meanConfidence(contactTurns: AnalysedTurn[]): number | null {
  const values = contactTurns.map((turn) => turn.confidence).filter((value): value is number => value !== null);
  if (values.length === 0) return null;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function keyPhrases(contactTurns: AnalysedTurn[]): string[] {
  const phrases = new Set(contactTurns.flatMap((turn) => matchedPhrases(turn.text)));
  return [...phrases].slice(0, MAX_KEY_PHRASES);
}

/** One factual line: length, who spoke, where it ended, what it concluded and by which rule. */
function summarise(input: AnalysisInput, contactTurnCount: number, result: CallResult | null, rule: string): string {
  const seconds = Math.round((input.durationMs ?? 0) / 1000);
  const parts = [
    `Call of ${seconds} s`,
    `${input.turns.length} turn${input.turns.length === 1 ? "" : "s"} (${contactTurnCount} from the contact)`,
  ];
  if (input.amdResult === "machine") parts.push("answered by a machine");
  if (input.lastStep) parts.push(`last step "${input.lastStep}"`);
  parts.push(result ? `result ${result} (${rule})` : `no result (${rule})`);
  return `${parts.join(", ")}.`;
}
