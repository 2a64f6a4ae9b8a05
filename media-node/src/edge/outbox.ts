import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type EdgeClient, EdgeUnavailableError, retryDelayMs, sleep } from "./client.js";

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
  /**
   * Deliveries naming the same batch path that wait back to back in a lane go as one request there, their JSON
   * bodies in `{"events": [...]}`: a call's reports catch up in one round trip after a slow answer.
   */
  batchPath?: string;
};

/** The edge takes up to this many events per batch. */
export const MAX_BATCH = 50;

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
  /** Each lane's deliveries not yet sent, in order; a lane is here while its sender runs. */
  private readonly lanes = new Map<string, Delivery[]>();
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
    const queue = this.lanes.get(delivery.lane);
    if (queue) {
      queue.push(delivery);
      return;
    }
    this.lanes.set(delivery.lane, [delivery]);
    void this.runLane(delivery.lane);
  }

  /** Sends a lane's deliveries in order, one request at a time, until the lane is empty. */
  private async runLane(lane: string): Promise<void> {
    const queue = this.lanes.get(lane) ?? [];
    while (queue.length > 0 && !this.stopped) {
      const batch = takeBatch(queue);
      await this.deliver(batch);
    }
    this.lanes.delete(lane);
  }

  private async deliver(batch: Delivery[]): Promise<void> {
    const first = batch[0];
    if (!first) return;
    const request = batch.length === 1 ? requestFor(first) : batchRequestFor(batch);
    for (let failures = 0; !this.stopped; failures++) {
      try {
        const answer = await this.options.client.send(request);
        if (answer.status === 404) this.log(`${first.id}: the edge does not know this call (404); dropped`);
        for (const delivery of batch) this.finish(delivery);
        return;
      } catch (error) {
        if (!(error instanceof EdgeUnavailableError)) return this.refused(batch, error);
        await sleep(retryDelayMs(error, Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs), this.maxDelayMs));
      }
    }
  }

  /** A refusal (4xx) will not change by retrying; a refused batch is tried one by one, so one bad event costs only itself. */
  private async refused(batch: Delivery[], error: unknown): Promise<void> {
    if (batch.length > 1) {
      for (const delivery of batch) await this.deliver([delivery]);
      return;
    }
    this.log(`${batch[0]?.id}: refused, dropped: ${String(error)}`);
    for (const delivery of batch) this.finish(delivery);
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

/** The head of the queue, with the deliveries right behind it that share its batch path (up to MAX_BATCH). */
function takeBatch(queue: Delivery[]): Delivery[] {
  const head = queue[0];
  if (!head?.batchPath) return queue.splice(0, 1);
  let size = 1;
  while (size < MAX_BATCH && queue[size]?.batchPath === head.batchPath) size++;
  return queue.splice(0, size);
}

function requestFor(delivery: Delivery) {
  return { method: delivery.method, path: delivery.path, contentType: delivery.contentType, body: bodyOf(delivery) };
}

function batchRequestFor(batch: Delivery[]) {
  const events = batch.map((delivery) => JSON.parse(String(delivery.body)) as unknown);
  return {
    method: "POST" as const,
    path: batch[0]?.batchPath ?? "",
    contentType: "application/json",
    body: JSON.stringify({ events }),
  };
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
