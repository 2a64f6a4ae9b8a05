import { describe, expect, it } from "vitest";
import { lineProgress } from "./line-status.js";
import { decideAfterUnanswered, type RetryPolicy } from "./retry.js";

const policy: RetryPolicy = { retryEnabled: true, retryNoAnswerDelaySeconds: 1800, retryBusyDelaySeconds: 300 };
const now = new Date("2025-01-15T14:00:00Z");

describe("retry after an unanswered dial", () => {
  it("schedules a no-answer retry after the no-answer delay while dials remain", () => {
    expect(decideAfterUnanswered({ status: "no_answer", dialsSoFar: 1, maxAttempts: 3, policy, now })).toEqual({
      kind: "retry",
      status: "scheduled",
      nextAttemptAt: new Date("2025-01-15T14:30:00Z"),
    });
  });

  it("schedules a busy retry after the busy delay", () => {
    const decision = decideAfterUnanswered({ status: "busy", dialsSoFar: 2, maxAttempts: 3, policy, now });
    expect(decision).toMatchObject({ kind: "retry", nextAttemptAt: new Date("2025-01-15T14:05:00Z") });
  });

  it("gives up with no_answer once the dials are used (busy counts as no answer)", () => {
    expect(decideAfterUnanswered({ status: "busy", dialsSoFar: 3, maxAttempts: 3, policy, now })).toEqual({
      kind: "final",
      status: "busy",
      result: "no_answer",
    });
  });

  it("does not retry when the campaign disabled retries, or outside a campaign", () => {
    const off = { ...policy, retryEnabled: false };
    expect(decideAfterUnanswered({ status: "no_answer", dialsSoFar: 1, maxAttempts: 3, policy: off, now }).kind).toBe(
      "final",
    );
    expect(decideAfterUnanswered({ status: "no_answer", dialsSoFar: 1, maxAttempts: 3, policy: null, now }).kind).toBe(
      "final",
    );
  });

  it("orders line states so a report never moves a dial backwards", () => {
    expect(lineProgress("ringing")).toBeGreaterThan(lineProgress("calling"));
    expect(lineProgress("completed")).toBeGreaterThan(lineProgress("in_progress"));
    expect(lineProgress("busy")).toBe(lineProgress("completed"));
    expect(lineProgress(null)).toBe(0);
    expect(lineProgress("scheduled")).toBe(0);
  });
});
