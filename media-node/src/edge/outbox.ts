import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type EdgeClient, EdgeUnavailableError, sleep } from "./client.js";

/** One request the edge must eventually receive. Recordings keep their bytes in a file beside the outbox. */
export type Delivery = {
  /** Unique per fact; an event's idempotency key. A second delivery with the same id is dropped. */
  id: string;
  /** Deliveries with the same lane (the call id) are sent in order, one at a time. */
  lane: string;
  method: "POST" | "PUT";
  path: string;
  contentType: string;
  body?: string;
  bodyFile?: string;
  /** Bytes kept in memory only (no outbox file configured). */
  bytes?: Uint8Array;
};

type OutboxLine = { op: "add"; delivery: Delivery } | { op: "done"; id: string };

export type OutboxOptions = {
  /** JSON lines file; `null` keeps everything in memory (tests that do not care about restarts). */
  file: string | null;
  client: EdgeClient;
  /** First retry delay; doubles up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  log?: (message: string) => void;
};

/**
 * Every report to the edge goes through here: written to an append-only file before the first try,
 * retried with exponential backoff while the edge is unreachable or failing (5xx), marked done once the
 * edge answered. On start, whatever was not done is sent again; the edge ignores replays by their
 * idempotency key, so a crash between "sent" and "marked done" costs nothing.
 */
export class Outbox {
  private readonly pending = new Map<string, Delivery>();
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly log: (message: string) => void;
  private stopped = false;

  constructor(private readonly options: OutboxOptions) {
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.log = options.log ?? ((message) => console.warn(`media-node outbox: ${message}`));
  }

  /** Where recordings waiting for upload are kept. */
  get spoolDir(): string | null {
    return this.options.file ? join(dirname(this.options.file), "media-node-recordings") : null;
  }

  /** Replays what an earlier process left unsent. Call once, before new deliveries. */
  start(): number {
    const file = this.options.file;
    if (!file || !existsSync(file)) return 0;
    const unsent = new Map<string, Delivery>();
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const entry = parseLine(line);
      if (entry?.op === "add") unsent.set(entry.delivery.id, entry.delivery);
      else if (entry?.op === "done") unsent.delete(entry.id);
    }
    // Compact: the file restarts with only what is still owed.
    writeFileSync(
      file,
      [...unsent.values()].map((delivery) => `${JSON.stringify({ op: "add", delivery })}\n`).join(""),
    );
    for (const delivery of unsent.values()) this.schedule(delivery);
    return unsent.size;
  }

  /** Records the delivery, then sends it in the background. */
  enqueue(delivery: Delivery): void {
    if (this.pending.has(delivery.id)) return;
    this.append({ op: "add", delivery });
    this.schedule(delivery);
  }

  /** Resolves once nothing is waiting to be sent. */
  drain(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get size(): number {
    return this.pending.size;
  }

  /** Stops retrying (what is unsent stays in the file for the next start). */
  stop(): void {
    this.stopped = true;
  }

  private schedule(delivery: Delivery): void {
    this.pending.set(delivery.id, delivery);
    const previous = this.lanes.get(delivery.lane) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(delivery));
    this.lanes.set(delivery.lane, next);
    void next.finally(() => {
      if (this.lanes.get(delivery.lane) === next) this.lanes.delete(delivery.lane);
    });
  }

  private async deliver(delivery: Delivery): Promise<void> {
    for (let failures = 0; !this.stopped; failures++) {
      try {
        const answer = await this.options.client.send({
          method: delivery.method,
          path: delivery.path,
          contentType: delivery.contentType,
          body: bodyOf(delivery),
        });
        if (answer.status === 404) this.log(`${delivery.id}: the edge does not know this call (404); dropped`);
        return this.finish(delivery);
      } catch (error) {
        if (!(error instanceof EdgeUnavailableError)) {
          // A refusal (4xx) will not change by retrying; keep a trace and move on.
          this.log(`${delivery.id}: refused, dropped: ${String(error)}`);
          return this.finish(delivery);
        }
        await sleep(Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs));
      }
    }
  }

  private finish(delivery: Delivery): void {
    this.append({ op: "done", id: delivery.id });
    if (delivery.bodyFile) rmSync(delivery.bodyFile, { force: true });
    this.pending.delete(delivery.id);
    if (this.pending.size > 0) return;
    if (this.options.file) writeFileSync(this.options.file, "");
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private append(line: OutboxLine): void {
    const file = this.options.file;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}

function bodyOf(delivery: Delivery): string | Uint8Array {
  // The file's Buffer as is: a copy would hold a long recording twice.
  if (delivery.bodyFile) return readFileSync(delivery.bodyFile);
  return delivery.bytes ?? delivery.body ?? "";
}

function parseLine(line: string): OutboxLine | null {
  if (!line.trim()) return null;
  try {
    return JSON.parse(line) as OutboxLine;
  } catch {
    // A torn last line after a crash: that delivery was never acknowledged by the caller either.
    return null;
  }
}
