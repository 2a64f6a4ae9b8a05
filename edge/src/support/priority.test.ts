import { describe, expect, it } from "vitest";
import { categoryKind, priorityFor, priorityScore, severityLevel, slaDeadlines } from "./priority.js";

describe("ticket priority (LEGACY-NOTES scoring)", () => {
  it("reads categories and severities in French, English and Spanish, accents or not", () => {
    expect(categoryKind("défaut_fabrication")).toBe("structural");
    expect(categoryKind("Mécanisme relax")).toBe("mechanism");
    expect(categoryKind("livraison")).toBe("delivery");
    expect(categoryKind("tissu déchiré")).toBe("fabric");
    expect(categoryKind("odeur")).toBe("smell");
    expect(categoryKind("autre chose")).toBe("other");
    expect(severityLevel("moyen")).toBe("medium");
    expect(severityLevel("Élevé")).toBe("high");
    expect(severityLevel("critique")).toBe("critical");
    expect(severityLevel("low")).toBe("low");
    expect(severityLevel("apocalyptique")).toBeNull();
  });

  it("scores category + severity + age, warranty and tier, then P0–P3 at 85 / 65 / 45", () => {
    expect(priorityScore({ category: "défaut_fabrication", severity: "medium" })).toBe(45);
    expect(priorityScore({ category: "défaut_fabrication", severity: "medium", underWarranty: false })).toBe(40);
    expect(priorityScore({ category: "mécanisme", severity: "high", productAgeMonths: 2, customerTier: "vip" })).toBe(
      70,
    );
    expect(priorityFor(45, "medium")).toBe("P2");
    expect(priorityFor(44, "medium")).toBe("P3");
    expect(priorityFor(65, "high")).toBe("P1");
    expect(priorityFor(85, "high")).toBe("P0");
    expect(priorityFor(10, "critical")).toBe("P0");
  });

  it("sets response / intervention deadlines per priority", () => {
    const from = new Date("2025-01-09T10:30:00Z");
    const hours = (priority: "P0" | "P1" | "P2" | "P3") => {
      const { response, intervention } = slaDeadlines(priority, from);
      return [(response.getTime() - from.getTime()) / 3_600_000, (intervention.getTime() - from.getTime()) / 3_600_000];
    };
    expect(hours("P0")).toEqual([4, 24]);
    expect(hours("P1")).toEqual([24, 48]);
    expect(hours("P2")).toEqual([120, 168]);
    expect(hours("P3")).toEqual([168, 336]);
  });
});
