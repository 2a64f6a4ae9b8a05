import type { PGlite } from "@electric-sql/pglite";

type Job = {
  handlerId: number;
  message: Uint8Array;
  onData: (chunk: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
};

/** Extended-protocol messages: Parse, Bind, Describe, Execute, Close, Flush. A Sync ends the sequence. */
const EXTENDED_MESSAGES = new Set(["P", "B", "D", "E", "C", "H"].map((letter) => letter.charCodeAt(0)));

/**
 * Serialises every client's wire messages onto PGlite's single backend.
 *
 * pglite-socket's own queue switches clients between any two messages, so one client's Parse could land
 * between another's Parse and Bind and the second client would bind its parameters to the wrong statement
 * (seen as "invalid input syntax for type uuid" under concurrent requests). This queue keeps the backend
 * with one client from its first extended-protocol message to its Sync, and for a whole transaction.
 * It implements the interface pglite-socket's handlers call on their server's queue.
 */
export class WireQueue {
  readonly #db: PGlite;
  #jobs: Job[] = [];
  #owner: number | null = null;
  #draining = false;

  constructor(db: PGlite) {
    this.#db = db;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (chunk: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#jobs.push({ handlerId, message, onData, resolve, reject });
      void this.#drain();
    });
  }

  getQueueLength(): number {
    return this.#jobs.length;
  }

  clearQueueForHandler(handlerId: number): void {
    for (const job of this.#jobs.filter((queued) => queued.handlerId === handlerId)) {
      job.reject(new Error("Handler disconnected"));
    }
    this.#jobs = this.#jobs.filter((job) => job.handlerId !== handlerId);
  }

  /** A client that leaves mid-transaction must not leave the backend inside it. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.#owner !== handlerId) return;
    if (this.#db.isInTransaction()) await this.#db.exec("ROLLBACK");
    this.#owner = null;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let job = this.#next(); job; job = this.#next()) await this.#run(job);
    } finally {
      this.#draining = false;
    }
  }

  /** The owner's next message while it holds the backend; otherwise the oldest one. */
  #next(): Job | undefined {
    const index = this.#owner === null ? 0 : this.#jobs.findIndex((job) => job.handlerId === this.#owner);
    return index === -1 ? undefined : this.#jobs.splice(index, 1)[0];
  }

  async #run(job: Job): Promise<void> {
    let bytes = 0;
    try {
      await this.#db.runExclusive(() =>
        this.#db.execProtocolRawStream(job.message, {
          onRawData: (chunk) => {
            bytes += chunk.length;
            job.onData(chunk);
          },
        }),
      );
      job.resolve(bytes);
    } catch (error) {
      job.reject(error);
    }
    const holds = this.#db.isInTransaction() || EXTENDED_MESSAGES.has(job.message[0] ?? 0);
    this.#owner = holds ? job.handlerId : null;
  }
}
