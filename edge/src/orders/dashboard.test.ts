import { describe, expect, it } from "vitest";
import { percentVariation, periodBounds, relativeFrench, signedDifference } from "./dashboard.js";

describe("Botlive dashboard figures", () => {
  const now = new Date("2025-10-22T09:00:00Z");

  it("writes relative French timestamps", () => {
    const ago = (ms: number) => relativeFrench(new Date(now.getTime() - ms), now);
    expect(ago(20_000)).toBe("à l'instant");
    expect(ago(2 * 60_000)).toBe("il y a 2 min");
    expect(ago(5 * 60_000 + 59_000)).toBe("il y a 5 min");
    expect(ago(3 * 3_600_000)).toBe("il y a 3 h");
    expect(ago(2 * 86_400_000 + 5_000)).toBe("il y a 2 j");
  });

  it("compares with the previous period of the same length", () => {
    expect(periodBounds("today", now)).toEqual({
      from: new Date("2025-10-22T00:00:00Z"),
      previousFrom: new Date("2025-10-21T15:00:00Z"),
    });
    expect(periodBounds("week", now).from).toEqual(new Date("2025-10-15T09:00:00Z"));
    expect(periodBounds("month", now).previousFrom).toEqual(new Date("2025-08-23T09:00:00Z"));
  });

  it("signs variations: an integer percent, +100% from nothing", () => {
    expect(percentVariation(1247, 1014)).toBe("+23%");
    expect(percentVariation(50, 100)).toBe("-50%");
    expect(percentVariation(10, 0)).toBe("+100%");
    expect(percentVariation(0, 0)).toBe("+0%");
    expect(signedDifference(34, 22)).toBe("+12");
    expect(signedDifference(3, 5)).toBe("-2");
  });
});
