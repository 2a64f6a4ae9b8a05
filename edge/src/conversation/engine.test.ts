import { describe, expect, it } from "vitest";
import {
  type ConversationState,
  type EngineContext,
  type EngineInput,
  initialState,
  MAX_REPROMPTS,
  restoreState,
  runScenarioTurn,
  type TurnOutcome,
} from "./engine.js";
import { qualify } from "./qualification.js";
import { readScenario, type Scenario } from "./scenario.js";

/** The seed's two-question qualification scenario. */
const demo = readScenario({
  name: "demo",
  steps: {
    hello: {
      message_text: "Bonjour, avez-vous une minute ?",
      intent_mapping: { yes: "offer", no: "not_interested", "*": "offer" },
      timeout: 8,
      barge_in: true,
    },
    offer: {
      message_text: "Souhaitez-vous une démonstration ?",
      intent_mapping: { yes: "lead", no: "not_interested", "*": "not_interested" },
      timeout: 10,
      barge_in: false,
    },
    lead: { message_text: "Parfait, à bientôt !", intent_mapping: {}, result: "lead", is_terminal: true },
    not_interested: {
      message_text: "Merci pour votre temps.",
      intent_mapping: {},
      result: "not_interested",
      is_terminal: true,
    },
  },
});

const fr = { language: "fr" };

/** Runs inputs in order from a fresh state; returns every turn. */
function converse(scenario: Scenario, inputs: EngineInput[], context: EngineContext = fr): TurnOutcome[] {
  let state: ConversationState = initialState(1);
  return inputs.map((input) => {
    const outcome = runScenarioTurn(scenario, state, input, context);
    state = outcome.state;
    return outcome;
  });
}

const say = (text: string): EngineInput => ({ kind: "utterance", text });
const last = (turns: TurnOutcome[]): TurnOutcome => turns[turns.length - 1] as TurnOutcome;

describe("scenario engine: steps and intents", () => {
  it("greets with the start step and waits for an answer with the step's timeout and barge-in", () => {
    const [start] = converse(demo, [{ kind: "start" }]);
    expect(start?.reply).toMatchObject({
      say: "Bonjour, avez-vous une minute ?",
      action: "continue",
      step: "hello",
      gatherTimeoutSeconds: 8,
      bargeIn: true,
      outcome: null,
    });
  });

  it("follows yes, yes to the lead step, hangs up and decides the result", () => {
    const turns = converse(demo, [{ kind: "start" }, say("Oui bien sûr"), say("Oui, volontiers")]);
    expect(turns[1]?.reply).toMatchObject({ step: "offer", intent: "yes", action: "continue", bargeIn: false });
    expect(last(turns).reply).toMatchObject({
      say: "Parfait, à bientôt !",
      action: "hangup",
      step: "lead",
      intent: "yes",
      rule: "rules:yes",
      outcome: "lead",
    });
    expect(last(turns).state).toMatchObject({ ended: true, outcome: "lead", answers: { hello: "yes", offer: "yes" } });
    expect(last(turns).state.history.map((entry) => entry.rule)).toEqual(["rules:yes", "rules:yes"]);
  });

  it("reads 'non merci' as not interested, which a step mapping only `no` follows as no", () => {
    const turns = converse(demo, [{ kind: "start" }, say("Non merci, ça ne m'intéresse pas")]);
    expect(last(turns).reply).toMatchObject({ step: "not_interested", outcome: "not_interested", action: "hangup" });
  });

  it("takes the wildcard for an answer no rule recognises", () => {
    const turns = converse(demo, [{ kind: "start" }, say("euh je me demande bien")]);
    expect(last(turns).reply).toMatchObject({ step: "offer", intent: "*", rule: "rules:wildcard" });
  });

  it("reads DTMF 1 as yes and 2 as no", () => {
    expect(last(converse(demo, [{ kind: "start" }, { kind: "keypad", digits: "1" }])).reply).toMatchObject({
      step: "offer",
      intent: "yes",
      rule: "rules:dtmf",
    });
    expect(last(converse(demo, [{ kind: "start" }, { kind: "keypad", digits: "2" }])).reply).toMatchObject({
      step: "not_interested",
      intent: "no",
    });
  });

  it("matches other digits against the step's own mapping", () => {
    const menu = readScenario({
      name: "menu",
      steps: {
        menu: { message_text: "Tapez 3 pour les horaires.", intent_mapping: { "3": "hours" } },
        hours: { message_text: "Ouvert de 9 h à 18 h.", is_terminal: true },
      },
    });
    const turns = converse(menu, [{ kind: "start" }, { kind: "keypad", digits: "3" }]);
    expect(last(turns).reply).toMatchObject({ step: "hours", action: "hangup", outcome: null });
  });

  it("ends politely with the callback result when the contact asks to be called back", () => {
    const turns = converse(demo, [{ kind: "start" }, say("Non, rappelez-moi plus tard s'il vous plaît")]);
    expect(last(turns).reply).toMatchObject({ action: "hangup", intent: "callback", outcome: "callback" });
    expect(last(turns).reply.say).toMatch(/rappellerons/);
  });

  it("ends with wrong_number when the contact says it is a wrong number", () => {
    const turns = converse(demo, [{ kind: "start" }, say("Oui ? Non, vous faites erreur, c'est un mauvais numéro")]);
    expect(last(turns).reply).toMatchObject({ action: "hangup", intent: "wrong_number", outcome: "wrong_number" });
  });

  it("prefers an intent the step maps over a global one ('oui, qu'un conseiller me rappelle')", () => {
    const turns = converse(demo, [{ kind: "start" }, say("oui"), say("Oui, qu'un conseiller me rappelle")]);
    expect(last(turns).reply).toMatchObject({ step: "lead", outcome: "lead" });
  });

  it("uses the scenario's own keyword lists before the built-in ones", () => {
    const shop = readScenario({
      name: "shop",
      intents: { complaint: ["cassé", "abîmé"] },
      steps: {
        hello: { message_text: "Comment puis-je vous aider ?", intent_mapping: { complaint: "ticket", "*": "bye" } },
        ticket: { message_text: "Je crée un ticket.", is_terminal: true },
        bye: { message_text: "Au revoir.", is_terminal: true },
      },
    });
    const turns = converse(shop, [{ kind: "start" }, say("Mon canapé est arrivé cassé")]);
    expect(last(turns).reply).toMatchObject({ step: "ticket", intent: "complaint", rule: "rules:scenario:complaint" });
  });

  it("re-prompts an answer it cannot place when the step has no wildcard, then gives up", () => {
    const strict = readScenario({
      name: "strict",
      steps: {
        ask: { message_text: "Oui ou non ?", intent_mapping: { yes: "done", no: "done" } },
        done: { message_text: "Merci.", is_terminal: true },
      },
    });
    const turns = converse(strict, [{ kind: "start" }, say("bof"), say("bof"), say("bof")]);
    expect(turns[1]?.reply).toMatchObject({
      action: "continue",
      step: "ask",
      say: expect.stringMatching(/compris.*Oui ou non/),
    });
    expect(turns[2]?.reply.action).toBe("continue");
    expect(last(turns).reply).toMatchObject({ action: "hangup", outcome: null });
  });

  it("treats a step without mappings as terminal, with no result unless it has one", () => {
    const open = readScenario({ name: "o", steps: { only: { message_text: "Au revoir." } } });
    expect(converse(open, [{ kind: "start" }])[0]?.reply).toMatchObject({ action: "hangup", outcome: null });
  });

  it("ends the conversation when a mapping points at a step that does not exist", () => {
    const broken = readScenario({
      name: "b",
      steps: { ask: { message_text: "Oui ?", intent_mapping: { "*": "missing" } } },
    });
    const turns = converse(broken, [{ kind: "start" }, say("oui")]);
    expect(last(turns).reply).toMatchObject({ action: "hangup" });
  });

  it("greets first when the caller speaks, or goes silent, before any step", () => {
    expect(converse(demo, [say("Allô ?")])[0]?.reply).toMatchObject({ step: "hello", action: "continue" });
    expect(converse(demo, [{ kind: "silence" }])[0]?.reply).toMatchObject({ step: "hello" });
    expect(converse(demo, [{ kind: "keypad", digits: "1" }])[0]?.reply).toMatchObject({ step: "hello" });
  });

  it("repeats the current step on a second start instead of starting over", () => {
    const turns = converse(demo, [{ kind: "start" }, say("oui"), { kind: "start" }]);
    expect(last(turns).reply).toMatchObject({ step: "offer", say: "Souhaitez-vous une démonstration ?" });
  });

  it("answers nothing more once the conversation has ended", () => {
    const turns = converse(demo, [{ kind: "start" }, say("non"), say("oui")]);
    expect(last(turns).reply).toMatchObject({ say: null, action: "hangup", step: "not_interested" });
  });

  it("clamps the gather timeout to 1–60 s and defaults it to 8 s", () => {
    const timed = (timeout: unknown) =>
      converse(
        readScenario({ name: "t", steps: { a: { message_text: "?", intent_mapping: { "*": "a" }, timeout } } }),
        [{ kind: "start" }],
      )[0]?.reply.gatherTimeoutSeconds;
    expect(timed(600)).toBe(60);
    expect(timed(0.2)).toBe(1);
    expect(timed(undefined)).toBe(8);
    expect(timed("soon")).toBe(8);
  });
});

describe("scenario engine: silence", () => {
  it(`re-prompts ${MAX_REPROMPTS} times, then says goodbye; never answering is no_answer`, () => {
    const turns = converse(demo, [{ kind: "start" }, { kind: "silence" }, { kind: "silence" }, { kind: "silence" }]);
    expect(turns[1]?.reply).toMatchObject({
      action: "continue",
      step: "hello",
      say: "Je ne vous ai pas entendu. Bonjour, avez-vous une minute ?",
    });
    expect(turns[2]?.reply.action).toBe("continue");
    expect(last(turns).reply).toMatchObject({ action: "hangup", outcome: "no_answer" });
    expect(last(turns).reply.say).toMatch(/raccrocher/);
  });

  it("leaves the result open when the contact had answered before going silent", () => {
    const turns = converse(demo, [
      { kind: "start" },
      say("oui"),
      { kind: "silence" },
      { kind: "silence" },
      { kind: "silence" },
    ]);
    expect(last(turns).reply).toMatchObject({ action: "hangup", outcome: null, step: "offer" });
  });

  it("counts silences per step: an answer resets the count", () => {
    const turns = converse(demo, [
      { kind: "start" },
      { kind: "silence" },
      { kind: "silence" },
      say("oui"),
      { kind: "silence" },
    ]);
    expect(last(turns).reply).toMatchObject({ action: "continue", step: "offer" });
  });

  it("speaks English when the agent does", () => {
    const turns = converse(demo, [{ kind: "start" }, { kind: "silence" }], { language: "en-US" });
    expect(last(turns).reply.say).toMatch(/^Sorry, I didn't hear you\./);
  });
});

describe("scenario engine: voicemail", () => {
  it("leaves the scenario's voicemail step message and hangs up as answering_machine", () => {
    const withVoicemail = readScenario({
      name: "v",
      steps: {
        hello: { message_text: "Bonjour ?", intent_mapping: { "*": "hello" } },
        voicemail: { message_text: "Rappelez-nous au 01 02 03 04 05." },
      },
    });
    expect(withVoicemail.startStep).toBe("hello");
    const [reply] = converse(withVoicemail, [{ kind: "voicemail" }]);
    expect(reply?.reply).toMatchObject({
      say: "Rappelez-nous au 01 02 03 04 05.",
      action: "hangup",
      outcome: "answering_machine",
    });
  });

  it("falls back to the agent's setting, then to a sentence in the agent's language", () => {
    expect(
      converse(demo, [{ kind: "voicemail" }], { language: "fr", voicemailMessage: "Message agent" })[0]?.reply.say,
    ).toBe("Message agent");
    expect(converse(demo, [{ kind: "voicemail" }], { language: "fr" })[0]?.reply.say).toMatch(
      /^Bonjour, nous avons essayé/,
    );
    expect(converse(demo, [{ kind: "voicemail" }], { language: "en" })[0]?.reply.say).toMatch(/^Hello, we tried/);
  });
});

describe("scenario engine: transfer", () => {
  it("transfers from a step whose actions say so", () => {
    const transferring = readScenario({
      name: "t",
      steps: {
        hello: { message_text: "Voulez-vous un conseiller ?", intent_mapping: { yes: "handoff", no: "bye" } },
        handoff: { message_text: "Je vous transfère.", actions: [{ type: "transfer", to: "+33100000000" }] },
        bye: { message_text: "Au revoir.", is_terminal: true },
      },
    });
    const turns = converse(transferring, [{ kind: "start" }, say("oui")]);
    expect(last(turns).reply).toMatchObject({
      action: "transfer",
      transferTo: "+33100000000",
      say: "Je vous transfère.",
    });
    expect(last(turns).state.ended).toBe(true);
  });

  it("accepts the other action forms", () => {
    const target = (actions: unknown) =>
      readScenario({ name: "t", steps: { a: { message_text: "x", actions } } }).steps.get("a")?.transferTo;
    expect(target({ transfer: "sip:desk@example.com" })).toBe("sip:desk@example.com");
    expect(target({ transfer: { number: "+33111111111" } })).toBe("+33111111111");
    expect(target([{ type: "webhook", url: "https://x" }])).toBeNull();
  });

  it("transfers a contact who asks for a person when the scenario has a transfer target", () => {
    const withDesk = readScenario({ ...demoDocument(), transfer_to: "+33122222222" });
    const turns = converse(withDesk, [{ kind: "start" }, say("Je veux parler à un conseiller")]);
    expect(last(turns).reply).toMatchObject({ action: "transfer", transferTo: "+33122222222", intent: "transfer" });
  });

  it("without a target, a request for a person is just an answer (here the wildcard)", () => {
    const turns = converse(demo, [{ kind: "start" }, say("Je veux parler à un conseiller")]);
    expect(last(turns).reply).toMatchObject({ action: "continue", step: "offer", intent: "transfer" });
  });
});

describe("scenario engine: qualification", () => {
  const weighted = readScenario({
    name: "q",
    qualification: { weights: { budget: 3, need: 1 } },
    steps: {
      budget: { message_text: "Avez-vous un budget ?", intent_mapping: { "*": "need" } },
      need: { message_text: "En avez-vous besoin ?", intent_mapping: { "*": "end" } },
      end: { message_text: "Merci, au revoir.", is_terminal: true },
    },
  });

  it("makes a lead when the weighted share of yes reaches 70 %", () => {
    const turns = converse(weighted, [{ kind: "start" }, say("oui"), say("non")]);
    expect(last(turns).reply).toMatchObject({ step: "end", outcome: "lead" });
    expect(qualify(weighted, last(turns).state.answers)?.scorePercent).toBe(75);
  });

  it("is not interested below the threshold", () => {
    const turns = converse(weighted, [{ kind: "start" }, say("non"), say("oui")]);
    expect(last(turns).reply.outcome).toBe("not_interested");
  });

  it("reads step-level determinant flags and a custom threshold", () => {
    const flagged = readScenario({
      name: "f",
      qualification: { threshold: 100 },
      steps: {
        a: { message_text: "A ?", intent_mapping: { "*": "b" }, determinant: true, weight: 2 },
        b: { message_text: "B ?", intent_mapping: { "*": "end" }, determinant: true },
        end: { message_text: "Fin.", is_terminal: true },
      },
    });
    expect(last(converse(flagged, [{ kind: "start" }, say("oui"), say("non")])).reply.outcome).toBe("not_interested");
    expect(last(converse(flagged, [{ kind: "start" }, say("oui"), say("oui")])).reply.outcome).toBe("lead");
  });

  it("lets a terminal step's own result win over qualification", () => {
    expect(qualify(demo, {})).toBeNull();
    const explicit = readScenario({
      name: "e",
      qualification: { weights: { a: 1 } },
      steps: {
        a: { message_text: "A ?", intent_mapping: { "*": "end" } },
        end: { message_text: "Fin.", is_terminal: true, result: "callback" },
      },
    });
    expect(last(converse(explicit, [{ kind: "start" }, say("oui")])).reply.outcome).toBe("callback");
  });
});

describe("scenario documents and stored state", () => {
  it("starts at an explicit start, the rail's first step, a conventional name, or the first step", () => {
    const steps = { z: { message_text: "z" }, hello: { message_text: "h" }, voicemail: { message_text: "v" } };
    expect(readScenario({ name: "s", steps, start: "z" }).startStep).toBe("z");
    expect(readScenario({ name: "s", steps, rail: ["z", "hello"] }).startStep).toBe("z");
    expect(readScenario({ name: "s", steps }).startStep).toBe("hello");
    expect(readScenario({ name: "s", steps: { voicemail: steps.voicemail, z: steps.z } }).startStep).toBe("z");
  });

  it("refuses a document without steps and ignores results that are not call results", () => {
    expect(() => readScenario({ name: "s", steps: {} })).toThrow(/no steps/);
    expect(() => readScenario(null)).toThrow(/no steps/);
    expect(readScenario({ name: "s", steps: { a: { result: "sold" } } }).steps.get("a")?.result).toBeNull();
  });

  it("restores a stored state, and starts over for a new dial or an unreadable state", () => {
    const stored = { ...initialState(1), step: "offer" };
    expect(restoreState(stored, 1).step).toBe("offer");
    expect(restoreState(stored, 2)).toEqual(initialState(2));
    expect(restoreState({ step: 3 }, 1)).toEqual(initialState(1));
    expect(restoreState(undefined, 1)).toEqual(initialState(1));
  });

  it("never changes the state it was given", () => {
    const state = initialState(1);
    const frozen = structuredClone(state);
    runScenarioTurn(demo, state, { kind: "start" }, fr);
    expect(state).toEqual(frozen);
  });
});

function demoDocument() {
  return {
    name: "demo",
    steps: Object.fromEntries(
      [...demo.steps.values()].map((step) => [
        step.name,
        {
          message_text: step.messageText,
          intent_mapping: step.intentMapping,
          is_terminal: step.isTerminal,
          ...(step.result ? { result: step.result } : {}),
        },
      ]),
    ),
  };
}
