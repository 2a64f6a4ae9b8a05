import { describe, expect, it } from "vitest";
import {
  ACTIVE_POLL_MS,
  callerIdFor,
  callsToClaim,
  decideRefusal,
  MAX_DIAL_REFUSALS,
  nextTickAt,
  REFILL_PACE_MS,
  REFUSAL_RETRY_DELAY_SECONDS,
  type TickState,
} from "./plan.js";

describe("callsToClaim", () => {
  it("takes the smallest of free slots, batch size and due calls", () => {
    expect(callsToClaim({ maxConcurrentCalls: 3, batchSize: 2, active: 0, due: 10 })).toBe(2);
    expect(callsToClaim({ maxConcurrentCalls: 3, batchSize: 2, active: 2, due: 10 })).toBe(1);
    expect(callsToClaim({ maxConcurrentCalls: 3, batchSize: 5, active: 0, due: 1 })).toBe(1);
  });

  it("claims nothing when the campaign is full, or over a lowered limit", () => {
    expect(callsToClaim({ maxConcurrentCalls: 3, batchSize: 2, active: 3, due: 10 })).toBe(0);
    expect(callsToClaim({ maxConcurrentCalls: 1, batchSize: 2, active: 4, due: 10 })).toBe(0);
  });
});

describe("nextTickAt", () => {
  const now = 1_000_000;
  const idle: TickState = {
    now,
    active: 0,
    dueLeft: 0,
    free: 3,
    dialable: true,
    windowOpensAt: null,
    nextRetryAt: null,
  };

  it("polls while calls are in flight", () => {
    expect(nextTickAt({ ...idle, active: 2, free: 1 })).toBe(now + ACTIVE_POLL_MS);
  });

  it("paces the next batch when due calls and free slots remain", () => {
    expect(nextTickAt({ ...idle, active: 2, dueLeft: 5, free: 1 })).toBe(now + REFILL_PACE_MS);
  });

  it("sleeps until the earliest retry when only retries wait", () => {
    expect(nextTickAt({ ...idle, nextRetryAt: now + 60_000 })).toBe(now + 60_000);
  });

  it("never schedules in the past", () => {
    expect(nextTickAt({ ...idle, nextRetryAt: now - 5 })).toBe(now);
  });

  it("waits for the calling window to open", () => {
    expect(nextTickAt({ ...idle, dueLeft: 4, dialable: false, windowOpensAt: now + 9_000 })).toBe(now + 9_000);
  });

  it("schedules nothing when there is nothing to watch", () => {
    expect(nextTickAt(idle)).toBeNull();
    expect(nextTickAt({ ...idle, dueLeft: 3, dialable: false })).toBeNull();
  });
});

describe("decideRefusal", () => {
  it("puts a refused call back to wait, without counting the attempt", () => {
    expect(decideRefusal({ kind: "refused", reason: "503" }, 0)).toEqual({
      kind: "reschedule",
      delaySeconds: REFUSAL_RETRY_DELAY_SECONDS,
    });
  });

  it("fails a call after repeated refusals", () => {
    expect(decideRefusal({ kind: "refused", reason: "503" }, MAX_DIAL_REFUSALS - 2).kind).toBe("reschedule");
    expect(decideRefusal({ kind: "refused", reason: "503" }, MAX_DIAL_REFUSALS - 1)).toEqual({ kind: "fail" });
  });

  it("fails a rejected request at once", () => {
    expect(decideRefusal({ kind: "rejected", reason: "422" }, 0)).toEqual({ kind: "fail" });
  });
});

describe("callerIdFor", () => {
  it("prefers the call's own number, then rotates the campaign's", () => {
    expect(callerIdFor({ fromNumber: "+33100000000", number: 7 }, ["+33200000000"])).toBe("+33100000000");
    expect(callerIdFor({ fromNumber: null, number: 7 }, ["+33200000000", "+33300000000"])).toBe("+33300000000");
    expect(callerIdFor({ fromNumber: null, number: 7 }, [])).toBeNull();
  });
});
