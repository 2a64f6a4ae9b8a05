import type { CallResult } from "@switchboard/schema";
import { determinantSteps, type Scenario } from "./scenario.js";

export type Qualification = {
  /** Weighted share of "yes" on the determinant steps, 0–100 (unanswered steps count as not yes). */
  scorePercent: number;
  threshold: number;
  result: Extract<CallResult, "lead" | "not_interested">;
};

/**
 * MiniBotPanel's qualification rule: a contact is a lead when the weighted share of "yes" answers on the
 * determinant steps reaches the threshold (70 % unless the scenario says otherwise). Null when the
 * scenario has no determinant steps.
 */
export function qualify(scenario: Scenario, answers: Readonly<Record<string, string>>): Qualification | null {
  const steps = determinantSteps(scenario);
  if (steps.length === 0) return null;
  let total = 0;
  let agreed = 0;
  for (const step of steps) {
    const weight = step.determinantWeight ?? 0;
    total += weight;
    if (answers[step.name] === "yes") agreed += weight;
  }
  const scorePercent = total === 0 ? 0 : (agreed / total) * 100;
  const threshold = scenario.qualificationThreshold;
  return { scorePercent, threshold, result: scorePercent >= threshold ? "lead" : "not_interested" };
}
