import { describe, expect, it } from "vitest";
import { phrasesOf, stopWordsFor, topPhrases } from "./phrases.js";

describe("top phrases", () => {
  it("forms bigrams only from adjacent words that are not stop words, per language", () => {
    const english = phrasesOf("I have a billing issue with my account access", stopWordsFor("en"));
    expect([...english].sort()).toEqual(["account access", "billing issue"]);
    const french = phrasesOf("J'ai un problème de facturation sur mon compte client", stopWordsFor("fr"));
    expect([...french]).toContain("compte client");
    expect([...french].some((phrase) => phrase.includes(" de ") || phrase.startsWith("de "))).toBe(false);
  });

  it("counts each phrase once per call and gives its share of calls", () => {
    const documents = [
      { text: "billing issue. Billing issue!", language: "en" },
      { text: "the billing issue is solved", language: "en" },
      { text: "payment problem", language: "en" },
      { text: "nothing", language: "en" },
    ];
    expect(topPhrases(documents, 2)).toEqual([
      { phrase: "billing issue", count: 2, frequency: 50 },
      { phrase: "payment problem", count: 1, frequency: 25 },
    ]);
  });

  it("falls back to English stop words for a language without a list", () => {
    expect(stopWordsFor("xx").has("the")).toBe(true);
    expect(stopWordsFor("es-MX").has("el")).toBe(true);
  });
});
