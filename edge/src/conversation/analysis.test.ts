import { describe, expect, it } from "vitest";
import { type AnalysedTurn, type AnalysisInput, analyseCall } from "./analysis.js";

const contact = (text: string, confidence: number | null = null, intent: string | null = null): AnalysedTurn => ({
  speaker: "contact",
  text,
  intent,
  confidence,
});
const agent = (text: string): AnalysedTurn => ({ speaker: "agent", text, intent: null, confidence: null });

const base: AnalysisInput = {
  amdResult: "human",
  conversationOutcome: null,
  qualification: null,
  turns: [],
  durationMs: 42_400,
  lastStep: null,
};

describe("post-call analysis rules", () => {
  it("a machine answered: answering_machine, whatever the conversation said", () => {
    const analysis = analyseCall({ ...base, amdResult: "machine", conversationOutcome: "lead" });
    expect(analysis).toMatchObject({ result: "answering_machine", resultRule: "rules:amd-machine" });
    expect(analysis.summary).toMatch(/answered by a machine/);
  });

  it("the scenario's outcome comes next, then qualification", () => {
    expect(analyseCall({ ...base, conversationOutcome: "lead" })).toMatchObject({
      result: "lead",
      resultRule: "scenario:outcome",
    });
    expect(analyseCall({ ...base, qualification: { scorePercent: 80, threshold: 70, result: "lead" } })).toMatchObject({
      result: "lead",
      resultRule: "rules:qualification",
    });
  });

  it.each([
    ["C'est un mauvais numéro", "wrong_number"],
    ["Rappelez-moi demain", "callback"],
    ["Je ne suis pas intéressé", "not_interested"],
  ] as const)("the contact's words decide otherwise: %s → %s", (text, result) => {
    const analysis = analyseCall({ ...base, turns: [agent("Bonjour"), contact(text)] });
    expect(analysis.result).toBe(result);
    expect(analysis.resultRule).toBe(`rules:turn-intent:${result}`);
  });

  it("uses the intent the media node reported for a turn", () => {
    expect(analyseCall({ ...base, turns: [contact("hmm", null, "callback")] }).result).toBe("callback");
  });

  it("a contact who never spoke is no_answer; an inconclusive talk has no result", () => {
    expect(analyseCall({ ...base, turns: [agent("Bonjour ?")] })).toMatchObject({
      result: "no_answer",
      resultRule: "rules:contact-silent",
    });
    expect(analyseCall({ ...base, turns: [contact("Je ne sais pas trop")] })).toMatchObject({
      result: null,
      resultRule: "rules:inconclusive",
    });
  });

  it("scores sentiment from word lists, tilted by the result", () => {
    expect(analyseCall({ ...base, turns: [contact("Oui, parfait, merci beaucoup")] }).sentiment).toBe("positive");
    expect(analyseCall({ ...base, turns: [contact("Arrêtez, c'est une arnaque")] }).sentiment).toBe("negative");
    expect(analyseCall({ ...base, turns: [contact("Je ne sais pas trop")] }).sentiment).toBe("neutral");
    // "non" and "merci" cancel out; the refusal tips it.
    expect(
      analyseCall({ ...base, conversationOutcome: "not_interested", turns: [contact("non merci")] }).sentiment,
    ).toBe("negative");
  });

  it("averages the contact's confidence and collects key phrases", () => {
    const analysis = analyseCall({
      ...base,
      turns: [contact("Oui", 0.9), contact("Rappelez-moi plus tard", 0.7), agent("Ok")],
    });
    expect(analysis.confidence).toBeCloseTo(0.8);
    expect(analysis.keyPhrases).toEqual(["oui", "rappelez moi", "plus tard"]);
    expect(analyseCall(base).confidence).toBeNull();
  });

  it("summarises in one factual line", () => {
    const analysis = analyseCall({
      ...base,
      conversationOutcome: "lead",
      lastStep: "lead",
      turns: [agent("a"), contact("oui")],
    });
    expect(analysis.summary).toBe(
      'Call of 42 s, 2 turns (1 from the contact), last step "lead", result lead (scenario:outcome).',
    );
  });
});
