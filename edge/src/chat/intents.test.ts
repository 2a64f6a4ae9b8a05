import { describe, expect, it } from "vitest";
import { classifyMessage, isFrustrated } from "./intents.js";
import { detectLanguage } from "./language.js";

describe("chat intents (rules:v1)", () => {
  it.each([
    ["Je veux parler à un conseiller", "human_request"],
    ["I want to talk to someone", "human_request"],
    ["Bonjour, j'ai un problème avec mon canapé", "support_request"],
    ["Mi sofá está roto", "support_request"],
    ["J'ai payé 2000 FCFA", "payment"],
    ["Je veux commander des lingettes", "order"],
    ["Do you have a blue sofa?", "product_search"],
    ["Bonjour", "greeting"],
    ["Merci", "thanks"],
    ["azerty", "unknown"],
  ])("%s → %s", (text, intent) => {
    expect(classifyMessage(text).intent).toBe(intent);
  });

  it("scores a phrase match above a guess", () => {
    expect(classifyMessage("Bonjour").confidence).toBeGreaterThan(classifyMessage("azerty").confidence);
  });

  it("sees frustration in capitals and insults", () => {
    expect(isFrustrated("C'EST INADMISSIBLE CE RETARD")).toBe(true);
    expect(isFrustrated("vous êtes des voleurs")).toBe(true);
    expect(isFrustrated("Bonjour, où en est ma commande ?")).toBe(false);
  });
});

describe("language", () => {
  it("tells French, Spanish and English apart, and keeps the fallback when unsure", () => {
    expect(detectLanguage("Bonjour je veux commander")).toBe("fr");
    expect(detectLanguage("Hola, quiero comprar por favor")).toBe("es");
    expect(detectLanguage("Hello, I want to order please")).toBe("en");
    expect(detectLanguage("0709876543", "es")).toBe("es");
  });
});
