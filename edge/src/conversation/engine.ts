import { type CallResult, callResult } from "@switchboard/schema";
import { z } from "zod";
import { type IntentMatch, recogniseDigits, recogniseSpeech } from "./intents.js";
import { type EnginePhrases, phrasesFor } from "./phrases.js";
import { qualify } from "./qualification.js";
import type { Scenario, ScenarioStep } from "./scenario.js";

/**
 * The conversation engine in scenario mode: pure (state in, reply and new state out), independent of any
 * transport, so a phone call and a chat run the same scenario the same way.
 */

/** Re-prompts after silence (or after an answer the rules cannot place) before the agent says goodbye. */
export const MAX_REPROMPTS = 2;
export const DEFAULT_GATHER_TIMEOUT_SECONDS = 8;
const MAX_GATHER_TIMEOUT_SECONDS = 60;

/** What happened, in transport-neutral words (a call's speech and a chat message are both `utterance`). */
export type EngineInput =
  | { kind: "start" }
  | { kind: "utterance"; text: string }
  | { kind: "keypad"; digits: string }
  | { kind: "silence" }
  | { kind: "voicemail" };

export type EngineContext = {
  /** The agent's language (`fr`, `en-US`…): picks the engine's own phrases. */
  language: string;
  /** The agent's voicemail message from its settings, when the scenario has none. */
  voicemailMessage?: string | null;
};

export type EngineReply = {
  say: string | null;
  action: "continue" | "hangup" | "transfer";
  transferTo: string | null;
  step: string | null;
  /** What the engine understood from the input, and the rule that recognised it. */
  intent: string | null;
  rule: string | null;
  gatherTimeoutSeconds: number;
  bargeIn: boolean;
  /** The call's result as the conversation decided it, once decided. */
  outcome: CallResult | null;
};

const historyEntry = z.object({ step: z.string(), intent: z.string(), rule: z.string() });

/** Persisted between turns (calls.metadata.conversation for a call). */
export const conversationState = z.object({
  version: z.literal(1),
  /** The dial this conversation belongs to; a new dial starts a new conversation. */
  attempt: z.number().int().min(1),
  step: z.string().nullable(),
  /** Consecutive silences at the current step. */
  silences: z.number().int().min(0),
  /** Consecutive answers the rules could not place at the current step. */
  misses: z.number().int().min(0),
  /** Step → the intent recognised there (for qualification). */
  answers: z.record(z.string(), z.string()),
  history: z.array(historyEntry),
  outcome: z.enum(callResult.enumValues).nullable(),
  ended: z.boolean(),
});
export type ConversationState = z.infer<typeof conversationState>;

export type TurnOutcome = { reply: EngineReply; state: ConversationState };

export function initialState(attempt: number): ConversationState {
  return {
    version: 1,
    attempt,
    step: null,
    silences: 0,
    misses: 0,
    answers: {},
    history: [],
    outcome: null,
    ended: false,
  };
}

export function runScenarioTurn(
  scenario: Scenario,
  state: ConversationState,
  input: EngineInput,
  context: EngineContext,
): TurnOutcome {
  const turn = new Turn(scenario, state, context);
  if (state.ended) return turn.alreadyEnded();
  switch (input.kind) {
    case "start":
      return state.step === null ? turn.enter(scenario.startStep) : turn.repeatStep(null);
    case "voicemail":
      return turn.leaveVoicemail();
    case "silence":
      return state.step === null ? turn.enter(scenario.startStep) : turn.afterSilence();
    case "utterance":
      return state.step === null
        ? turn.enter(scenario.startStep)
        : turn.answer(recogniseSpeech(input.text, scenario.intentKeywords));
    case "keypad":
      return state.step === null ? turn.enter(scenario.startStep) : turn.answer(recogniseDigits(input.digits));
  }
}

/** One turn's work on a copy of the state. */
class Turn {
  private readonly state: ConversationState;
  private readonly phrases: EnginePhrases;
  private understood: IntentMatch | null = null;

  constructor(
    private readonly scenario: Scenario,
    state: ConversationState,
    private readonly context: EngineContext,
  ) {
    this.state = structuredClone(state);
    this.phrases = phrasesFor(context.language);
  }

  alreadyEnded(): TurnOutcome {
    return this.finish({ say: null, action: "hangup" });
  }

  /** Moves to a step and says its message; terminal and transfer steps end the conversation. */
  enter(stepName: string): TurnOutcome {
    const step = this.scenario.steps.get(stepName);
    if (!step) return this.end(this.phrases.goodbyeAfterConfusion, null);
    this.state.step = step.name;
    this.state.silences = 0;
    this.state.misses = 0;
    if (step.transferTo) {
      return this.end(step.messageText, step.result, { action: "transfer", transferTo: step.transferTo });
    }
    if (isTerminal(step)) return this.end(step.messageText, step.result ?? this.qualifiedOutcome());
    return this.finish({ say: step.messageText, action: "continue" });
  }

  /** Says the current step again, after a short preface ("I didn't hear you"). */
  repeatStep(preface: string | null): TurnOutcome {
    const message = this.currentStep()?.messageText ?? null;
    const say = [preface, message].filter((part): part is string => Boolean(part)).join(" ");
    return this.finish({ say: say || null, action: "continue" });
  }

  afterSilence(): TurnOutcome {
    this.state.silences += 1;
    if (this.state.silences <= MAX_REPROMPTS) return this.repeatStep(this.phrases.didNotHear);
    const neverAnswered = this.state.history.length === 0;
    return this.end(this.phrases.goodbyeAfterSilence, neverAnswered ? "no_answer" : null);
  }

  leaveVoicemail(): TurnOutcome {
    const message = this.scenario.voicemailMessage ?? this.context.voicemailMessage ?? this.phrases.voicemail;
    return this.end(message, "answering_machine");
  }

  /**
   * Where an answer leads: an intent the step maps, else the intents that end any conversation (wrong number,
   * callback, transfer when the scenario has a target), else "not interested" read as "no", else the wildcard,
   * else a re-prompt.
   */
  answer(matches: IntentMatch[]): TurnOutcome {
    const step = this.currentStep();
    if (!step) return this.end(this.phrases.goodbyeAfterConfusion, null);
    const mapped = matches.find((match) => match.intent !== "*" && match.intent in step.intentMapping);
    if (mapped) return this.follow(step, mapped, step.intentMapping[mapped.intent] as string);
    const global = this.globalIntent(step, matches);
    if (global) return global;
    const refusal = matches.find((match) => match.intent === "not_interested");
    if (refusal && "no" in step.intentMapping) return this.follow(step, refusal, step.intentMapping.no as string);
    const wildcard = step.intentMapping["*"];
    if (wildcard) {
      const match = matches[0] ?? { intent: "*", rule: "rules:wildcard", phrase: "" };
      return this.follow(step, match, wildcard);
    }
    return this.notUnderstood(matches[0] ?? null);
  }

  private globalIntent(step: ScenarioStep, matches: IntentMatch[]): TurnOutcome | null {
    const has = (intent: string) => matches.find((match) => match.intent === intent);
    const wrongNumber = has("wrong_number");
    if (wrongNumber) return this.record(step, wrongNumber).end(this.phrases.wrongNumberClosing, "wrong_number");
    const callback = has("callback");
    if (callback) return this.record(step, callback).end(this.phrases.callbackClosing, "callback");
    const transfer = has("transfer");
    if (transfer && this.scenario.transferTo) {
      return this.record(step, transfer).end(this.phrases.transferring, null, {
        action: "transfer",
        transferTo: this.scenario.transferTo,
      });
    }
    return null;
  }

  private notUnderstood(match: IntentMatch | null): TurnOutcome {
    this.understood = match;
    this.state.misses += 1;
    if (this.state.misses <= MAX_REPROMPTS) return this.repeatStep(this.phrases.didNotUnderstand);
    return this.end(this.phrases.goodbyeAfterConfusion, null);
  }

  private follow(step: ScenarioStep, match: IntentMatch, next: string): TurnOutcome {
    return this.record(step, match).enter(next);
  }

  private record(step: ScenarioStep, match: IntentMatch): this {
    this.understood = match;
    this.state.answers[step.name] = match.intent;
    this.state.history.push({ step: step.name, intent: match.intent, rule: match.rule });
    return this;
  }

  private end(
    say: string | null,
    outcome: CallResult | null,
    how: { action: "hangup" | "transfer"; transferTo: string | null } = { action: "hangup", transferTo: null },
  ): TurnOutcome {
    this.state.ended = true;
    this.state.outcome = outcome ?? this.state.outcome;
    return this.finish({ say, action: how.action, transferTo: how.transferTo });
  }

  private finish(reply: {
    say: string | null;
    action: EngineReply["action"];
    transferTo?: string | null;
  }): TurnOutcome {
    const step = this.currentStep();
    return {
      state: this.state,
      reply: {
        say: reply.say,
        action: reply.action,
        transferTo: reply.transferTo ?? null,
        step: this.state.step,
        intent: this.understood?.intent ?? null,
        rule: this.understood?.rule ?? null,
        gatherTimeoutSeconds: gatherTimeout(step),
        bargeIn: step?.bargeIn ?? true,
        outcome: this.state.outcome,
      },
    };
  }

  private currentStep(): ScenarioStep | undefined {
    return this.state.step === null ? undefined : this.scenario.steps.get(this.state.step);
  }

  private qualifiedOutcome(): CallResult | null {
    return qualify(this.scenario, this.state.answers)?.result ?? null;
  }
}

/** A step with nowhere to go ends the conversation even when it does not say it is terminal. */
function isTerminal(step: ScenarioStep): boolean {
  return step.isTerminal || Object.keys(step.intentMapping).length === 0;
}

function gatherTimeout(step: ScenarioStep | undefined): number {
  const seconds = Math.round(step?.timeoutSeconds ?? DEFAULT_GATHER_TIMEOUT_SECONDS);
  return Math.min(Math.max(seconds, 1), MAX_GATHER_TIMEOUT_SECONDS);
}

/** The state stored for a call, or a fresh one when there is none, it is unreadable, or it belongs to an older dial. */
export function restoreState(stored: unknown, attempt: number): ConversationState {
  const parsed = conversationState.safeParse(stored);
  if (!parsed.success || parsed.data.attempt < attempt) return initialState(attempt);
  return parsed.data;
}
