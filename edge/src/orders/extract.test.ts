import { describe, expect, it } from "vitest";
import { extractSlots, findAmount, findProduct, normalisePhone } from "./extract.js";
import { findZone } from "./zones.js";

describe("numero", () => {
  it.each([
    ["0709876543", "0709876543"],
    ["+225 07 09 87 65 43", "0709876543"],
    ["+2250709876543", "0709876543"],
    ["07.09.87.65.43", "0709876543"],
    ["07-09-87-65-43", "0709876543"],
    ["appelez le 05 44 33 22 11 svp", "0544332211"],
  ])("reads %s as %s", (text, expected) => {
    expect(normalisePhone(text)).toBe(expected);
  });

  it("ignores numbers that are not 10 local digits", () => {
    expect(normalisePhone("2000 FCFA")).toBeNull();
    expect(normalisePhone("07 09 87")).toBeNull();
  });
});

describe("zone", () => {
  it("gives each district its fee and ships anywhere else from 3500 FCFA", () => {
    expect(findZone("Je suis à Yopougon")).toEqual({ zone: "Yopougon", fee: 1500, expedition: false });
    expect(findZone("livrez moi a port bouet")).toEqual({ zone: "Port-Bouët", fee: 2000, expedition: false });
    expect(findZone("Grand Bassam")).toEqual({ zone: "Grand-Bassam", fee: 2500, expedition: false });
    expect(findZone("zone 4 svp")).toEqual({ zone: "Zone 4", fee: 1500, expedition: false });
    expect(findZone("je suis à Bouaké")).toEqual({ zone: "Bouaké", fee: 3500, expedition: true });
    expect(findZone("Bonjour")).toBeNull();
  });
});

describe("paiement", () => {
  it("reads amounts with a currency or after a payment verb, never a phone number", () => {
    expect(findAmount("Dépôt: 2000 FCFA")).toBe(2000);
    expect(findAmount("j'ai payé 1500")).toBe(1500);
    expect(findAmount("envoyé 2 020 F")).toBe(2020);
    expect(findAmount("mon numéro 0709876543")).toBeNull();
    expect(findAmount("Bonjour")).toBeNull();
  });

  it("takes a payment proof's amount and reference from image metadata", () => {
    const slots = extractSlots("", [{ url: "https://x.test/r.jpg", amount: 2020, reference: "WAVE-ABC123" }], true);
    expect(slots.payment).toEqual({ amount: 2020, reference: "WAVE-ABC123", source: "TRANSACTIONS" });
    expect(slots.product).toBeNull();
  });
});

describe("produit", () => {
  it("names the product after an ordering verb in French, Spanish and English", () => {
    expect(findProduct("Je veux commander 2 lingettes svp")).toBe("2 lingettes");
    expect(findProduct("Je veux commander")).toBeNull();
    expect(findProduct("quiero comprar una camisa")).toBe("una camisa");
    expect(findProduct("I want to order a blue dress")).toBe("a blue dress");
  });

  it("takes the first image as the product, named by its file", () => {
    expect(extractSlots("", ["https://cdn.test/lingettes.jpg"], false).product).toEqual({
      name: "lingettes",
      source: "VISION",
    });
    expect(extractSlots("", ["https://cdn.test/IMG_2041.jpg"], false).product?.name).toBe("produit (photo)");
  });
});
