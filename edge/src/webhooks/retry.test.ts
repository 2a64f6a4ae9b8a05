import { describe, expect, it } from "vitest";
import { MAX_RETRY_DELAY_MS, nextStepAfterFailure, retryDelayMs } from "./retry.js";

describe("webhook retry schedule", () => {
  it("doubles the delay after each failure, between half and all of it", () => {
    expect(retryDelayMs(1, 1000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, () => 1)).toBe(1000);
    expect(retryDelayMs(3, 1000, () => 0)).toBe(2000);
    expect(retryDelayMs(3, 1000, () => 1)).toBe(4000);
  });

  it("never waits more than the cap", () => {
    expect(retryDelayMs(40, 30_000, () => 1)).toBe(MAX_RETRY_DELAY_MS);
  });

  it("gives up once the attempts are spent", () => {
    expect(nextStepAfterFailure(2, 3)).toBe("retry");
    expect(nextStepAfterFailure(3, 3)).toBe("dead_letter");
  });
});
