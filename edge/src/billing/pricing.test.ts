import { describe, expect, it } from "vitest";
import { billableSeconds, callCharges, estimateCost, reservationFor } from "./pricing.js";

describe("pricing", () => {
  it("reserves the ten-minute ceiling of a call, nothing on unlimited plans", () => {
    expect(reservationFor("credit_based")).toBe(1.52);
    expect(reservationFor("minutes")).toBe(10);
    expect(reservationFor("unlimited")).toBe(0);
  });

  it("charges setup plus per minute by the second, and minutes plans the minutes", () => {
    expect(callCharges(60)).toEqual({ creditBased: 0.17, minutes: 1 });
    expect(callCharges(45)).toEqual({ creditBased: 0.1325, minutes: 0.75 });
    expect(callCharges(0)).toEqual({ creditBased: 0, minutes: 0 });
  });

  it("bills whole seconds of answered calls only", () => {
    expect(billableSeconds(45_001, true)).toBe(46);
    expect(billableSeconds(45_000, false)).toBe(0);
    expect(billableSeconds(null, true)).toBe(0);
  });

  it("estimates 0.47 per contact on credit plans, as SpeechAI documents", () => {
    expect(estimateCost("credit_based", 100)).toBe(47);
    expect(estimateCost("minutes", 10)).toBe(30);
    expect(estimateCost("unlimited", 10)).toBe(0);
  });
});
