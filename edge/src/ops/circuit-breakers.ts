/**
 * Circuit breakers around the upstreams a request depends on (database, LLM, speech, storage), per isolate.
 * LEGACY-NOTES' thresholds: open after 5 consecutive failures, half-open after 60 s, closed after 2 successes
 * in half-open. While open, calls fail at once with CircuitOpenError instead of waiting on a dead upstream.
 */
export type BreakerState = "closed" | "open" | "half_open";
export type UpstreamName = "database" | "llm" | "speech" | "storage";

export const FAILURES_TO_OPEN = 5;
export const OPEN_MS = 60_000;
export const SUCCESSES_TO_CLOSE = 2;

export class CircuitOpenError extends Error {
  constructor(
    readonly upstream: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`${upstream} is unavailable (circuit open); retry in ${retryAfterSeconds}s`);
  }
}

export type BreakerSnapshot = {
  state: BreakerState;
  failure_count: number;
  success_rate: number;
  total_calls: number;
};

export class CircuitBreaker {
  #state: BreakerState = "closed";
  #consecutiveFailures = 0;
  #halfOpenSuccesses = 0;
  #openedAt = 0;
  #totalCalls = 0;
  #failedCalls = 0;

  constructor(
    readonly name: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `work` unless the circuit is open. `isFailure` tells upstream failures from the caller's own mistakes. */
  async run<T>(work: () => Promise<T>, isFailure: (error: unknown) => boolean = () => true): Promise<T> {
    this.#admit();
    this.#totalCalls += 1;
    try {
      const result = await work();
      this.#succeeded();
      return result;
    } catch (error) {
      if (isFailure(error)) this.#failed();
      else this.#succeeded();
      throw error;
    }
  }

  /**
   * For work that cannot be wrapped in one promise (a stream read part by part): admits it now, or throws
   * CircuitOpenError, and the caller reports how it ended.
   */
  attempt(): { succeeded(): void; failed(): void } {
    this.#admit();
    this.#totalCalls += 1;
    let settled = false;
    const settle = (outcome: () => void) => () => {
      if (settled) return;
      settled = true;
      outcome();
    };
    return { succeeded: settle(() => this.#succeeded()), failed: settle(() => this.#failed()) };
  }

  get state(): BreakerState {
    if (this.#state === "open" && this.now() - this.#openedAt >= OPEN_MS) return "half_open";
    return this.#state;
  }

  snapshot(): BreakerSnapshot {
    const succeeded = this.#totalCalls - this.#failedCalls;
    return {
      state: this.state,
      failure_count: this.#consecutiveFailures,
      success_rate: this.#totalCalls === 0 ? 100 : round1((succeeded / this.#totalCalls) * 100),
      total_calls: this.#totalCalls,
    };
  }

  #admit(): void {
    if (this.#state !== "open") return;
    const waited = this.now() - this.#openedAt;
    if (waited < OPEN_MS) throw new CircuitOpenError(this.name, Math.ceil((OPEN_MS - waited) / 1000));
    this.#state = "half_open";
    this.#halfOpenSuccesses = 0;
  }

  #succeeded(): void {
    this.#consecutiveFailures = 0;
    if (this.#state !== "half_open") return;
    this.#halfOpenSuccesses += 1;
    if (this.#halfOpenSuccesses >= SUCCESSES_TO_CLOSE) this.#state = "closed";
  }

  #failed(): void {
    this.#failedCalls += 1;
    this.#consecutiveFailures += 1;
    if (this.#state === "half_open" || this.#consecutiveFailures >= FAILURES_TO_OPEN) {
      this.#state = "open";
      this.#openedAt = this.now();
    }
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

const breakers = new Map<UpstreamName, CircuitBreaker>();

/** The isolate's breaker for an upstream. */
export function breakerFor(upstream: UpstreamName): CircuitBreaker {
  let breaker = breakers.get(upstream);
  if (!breaker) {
    breaker = new CircuitBreaker(upstream);
    breakers.set(upstream, breaker);
  }
  return breaker;
}

export const UPSTREAMS: UpstreamName[] = ["database", "llm", "speech", "storage"];

export function allBreakers(): Record<UpstreamName, BreakerSnapshot> {
  return Object.fromEntries(UPSTREAMS.map((name) => [name, breakerFor(name).snapshot()])) as Record<
    UpstreamName,
    BreakerSnapshot
  >;
}
