import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError, OPEN_MS } from "./circuit-breakers.js";

describe("circuit breaker (5 failures open, 60 s, 2 successes close)", () => {
  it("opens after 5 consecutive failures, refuses at once, half-opens after 60 s, closes after 2 successes", async () => {
    let now = 1_000_000;
    const breaker = new CircuitBreaker("speech", () => now);
    const fail = () => breaker.run(() => Promise.reject(new Error("down")));
    const succeed = () => breaker.run(() => Promise.resolve("ok"));
    for (let index = 0; index < 4; index++) await expect(fail()).rejects.toThrow("down");
    expect(breaker.state).toBe("closed");
    await expect(fail()).rejects.toThrow("down");
    expect(breaker.state).toBe("open");
    let calls = 0;
    await expect(breaker.run(async () => calls++)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(0);

    now += OPEN_MS;
    expect(breaker.state).toBe("half_open");
    await succeed();
    expect(breaker.state).toBe("half_open");
    await succeed();
    expect(breaker.state).toBe("closed");
    expect(breaker.snapshot()).toEqual({ state: "closed", failure_count: 0, success_rate: 28.6, total_calls: 7 });
  });

  it("a failure while half-open opens it again; errors the caller made do not count", async () => {
    let now = 0;
    const breaker = new CircuitBreaker("database", () => now);
    for (let index = 0; index < 5; index++) await breaker.run(() => Promise.reject(new Error("x"))).catch(() => {});
    now += OPEN_MS;
    await breaker.run(() => Promise.reject(new Error("still down"))).catch(() => {});
    expect(breaker.state).toBe("open");

    const lenient = new CircuitBreaker("database");
    for (let index = 0; index < 10; index++) {
      await lenient
        .run(
          () => Promise.reject(new Error("not found")),
          () => false,
        )
        .catch(() => {});
    }
    expect(lenient.state).toBe("closed");
  });

  it("attempt() lets streamed work report how it ended", async () => {
    const breaker = new CircuitBreaker("llm");
    for (let index = 0; index < 5; index++) breaker.attempt().failed();
    expect(() => breaker.attempt()).toThrow(CircuitOpenError);
  });
});
