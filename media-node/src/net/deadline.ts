/**
 * A time limit for one HTTP exchange, body included. Node's fetch has two traps this avoids: a promise reading
 * a body (`text()`, a stream's `read()`) stays pending forever when the request is aborted mid-body
 * (nodejs/node#56917), and an `AbortSignal.timeout()` held only weakly can be collected before it fires. So the
 * timer here holds its controller, and every step is raced against the deadline rather than trusted to abort.
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #expired: Promise<never>;
  #timer: NodeJS.Timeout;

  constructor(ms: number, reason: string) {
    this.#expired = new Promise<never>((_, reject) => {
      this.#controller.signal.addEventListener("abort", () => reject(this.#controller.signal.reason), { once: true });
    });
    // Observed here so an expiry nobody is racing at that moment is not an unhandled rejection.
    this.#expired.catch(() => undefined);
    this.#timer = this.#start(ms, reason);
  }

  /** A new limit from now, for the next stage of the exchange (a stream's body after its headers). */
  restart(ms: number, reason: string): void {
    clearTimeout(this.#timer);
    this.#timer = this.#start(ms, reason);
  }

  /** For fetch, so an expiry also closes the connection. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The step's result, or the deadline's error once it has passed. */
  race<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.#expired]);
  }

  /** Ends the exchange early (done, or given up for another reason); the connection is closed if still open. */
  abort(reason: string): void {
    clearTimeout(this.#timer);
    this.#controller.abort(new Error(reason));
  }

  clear(): void {
    clearTimeout(this.#timer);
  }

  #start(ms: number, reason: string): NodeJS.Timeout {
    return setTimeout(() => this.#controller.abort(new Error(reason)), ms);
  }
}
