import { describe, expect, it } from "vitest";
import { matchedPhrases, normaliseText, recogniseDigits, recogniseSpeech } from "./intents.js";

const intents = (text: string, keywords?: Record<string, string[]>) =>
  recogniseSpeech(text, keywords).map((match) => match.intent);

describe("intent rules", () => {
  it("normalises case, accents, apostrophes and punctuation", () => {
    expect(normaliseText("Ça M'INTÉRESSE, vraiment !")).toBe(" ca m interesse vraiment ");
  });

  it.each([
    ["Oui, bien sûr", ["yes"]],
    ["Yes, sure", ["yes"]],
    ["D'accord", ["yes"]],
    ["Non", ["no"]],
    ["nope", ["no"]],
    ["Non merci, ça ne m'intéresse pas", ["not_interested", "no"]],
    ["I'm not interested", ["not_interested"]],
    ["Rappelez-moi plus tard", ["callback"]],
    ["Non, pas maintenant", ["callback"]],
    ["Call me back tomorrow", ["callback"]],
    ["C'est un mauvais numéro", ["wrong_number"]],
    ["Oui ? Non, wrong number", ["wrong_number"]],
    ["Je voudrais parler à un conseiller", ["transfer"]],
    ["Hmm, je ne sais pas", []],
  ])("%s → %j", (text, expected) => {
    expect(intents(text)).toEqual(expected);
  });

  it("matches whole words only ('nonobstant' is not 'non', 'okapi' is not 'ok')", () => {
    expect(intents("nonobstant")).toEqual([]);
    expect(intents("un okapi")).toEqual([]);
  });

  it("names the rule and the phrase of each match", () => {
    expect(recogniseSpeech("Oui volontiers")[0]).toEqual({ intent: "yes", rule: "rules:yes", phrase: "oui" });
  });

  it("puts the scenario's own intents first and lets them replace a built-in of the same name", () => {
    const matches = recogniseSpeech("oui, un canapé", { product: ["canapé"], yes: ["oui"] });
    expect(matches.map((match) => [match.intent, match.rule])).toEqual([
      ["product", "rules:scenario:product"],
      ["yes", "rules:scenario:yes"],
    ]);
  });

  it("reads DTMF 1 as yes, 2 as no, other keys as themselves", () => {
    expect(recogniseDigits("1")).toEqual([{ intent: "yes", rule: "rules:dtmf", phrase: "1" }]);
    expect(recogniseDigits("2")[0]?.intent).toBe("no");
    expect(recogniseDigits("9")[0]?.intent).toBe("9");
  });

  it("lists the built-in phrases found in a text", () => {
    expect(matchedPhrases("Non merci, rappelez-moi plus tard")).toEqual([
      "non merci",
      "rappelez moi",
      "plus tard",
      "non",
    ]);
  });

  it("understands Spanish answers, and a French 'si' is no Spanish yes", () => {
    const first = (text: string) => intents(text)[0];
    expect(first("Sí, claro, puedo pagar el viernes")).toBe("yes");
    expect(first("No, gracias, no me interesa")).toBe("not_interested");
    expect(first("Ahora no puedo, llámeme más tarde")).toBe("callback");
    expect(first("Se ha equivocado de número")).toBe("wrong_number");
    expect(first("Quiero hablar con una persona")).toBe("transfer");
    expect(first("Para nada")).toBe("no");
    expect(first("Si vous voulez")).toBeUndefined();
  });
});
