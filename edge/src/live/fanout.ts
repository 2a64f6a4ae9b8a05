import type { HubEnvelope } from "./events.js";

/** Events a subscriber may have waiting before it counts as too slow and is dropped. */
export const MAX_QUEUED_EVENTS = 256;

type Subscriber = { id: string; topic: string; controller: ReadableStreamDefaultController<Uint8Array> };

const encoder = new TextEncoder();
/** What a heartbeat writes: an empty line, skipped by readers. */
const HEARTBEAT_LINE = encoder.encode("\n");

/**
 * The hub's subscribers by topic, each a stream of newline-delimited JSON with a bounded queue. A subscriber
 * that lets MAX_QUEUED_EVENTS lines pile up is dropped (its stream errors), so one slow reader never holds
 * back the others or grows the hub's memory. Plain streams, no Durable Object: unit-testable on its own.
 */
export class Fanout {
  readonly #byTopic = new Map<string, Set<Subscriber>>();
  readonly #byId = new Map<string, Subscriber>();

  constructor(private readonly onDropped: (topic: string) => void = () => {}) {}

  /** A new subscriber's stream; it starts with an empty line, so the reader knows it is registered. */
  open(topic: string, id: string): ReadableStream<Uint8Array> {
    let subscriber: Subscriber | undefined;
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          subscriber = { id, topic, controller };
          const set = this.#byTopic.get(topic) ?? new Set();
          set.add(subscriber);
          this.#byTopic.set(topic, set);
          this.#byId.set(id, subscriber);
          controller.enqueue(HEARTBEAT_LINE);
        },
        cancel: () => {
          if (subscriber) this.remove(subscriber);
        },
      },
      new CountQueuingStrategy({ highWaterMark: MAX_QUEUED_EVENTS }),
    );
  }

  /** Ends one subscriber's stream normally. */
  close(id: string): void {
    const subscriber = this.#byId.get(id);
    if (!subscriber) return;
    this.remove(subscriber);
    try {
      subscriber.controller.close();
    } catch {
      // Already closed or errored.
    }
  }

  send(topic: string, envelope: HubEnvelope): void {
    const subscribers = this.#byTopic.get(topic);
    if (!subscribers) return;
    const line = encoder.encode(`${JSON.stringify(envelope)}\n`);
    for (const subscriber of [...subscribers]) this.offer(subscriber, line);
  }

  /** An empty line to everyone: a write is how a subscriber that went away is found out. */
  heartbeat(): void {
    for (const subscriber of [...this.#byId.values()]) this.offer(subscriber, HEARTBEAT_LINE);
  }

  has(topic: string): boolean {
    return this.#byTopic.has(topic);
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Subscribers per topic, for metrics and for tests that check a disconnect frees its subscription. */
  stats(): { subscribers: number; topics: Record<string, number> } {
    const topics = Object.fromEntries([...this.#byTopic].map(([topic, set]) => [topic, set.size]));
    return { subscribers: this.#byId.size, topics };
  }

  private offer(subscriber: Subscriber, line: Uint8Array): void {
    const { controller } = subscriber;
    if ((controller.desiredSize ?? 0) <= 0) {
      this.remove(subscriber);
      this.onDropped(subscriber.topic);
      controller.error(new Error("subscriber too slow"));
      return;
    }
    try {
      controller.enqueue(line);
    } catch {
      this.remove(subscriber);
    }
  }

  private remove(subscriber: Subscriber): void {
    this.#byId.delete(subscriber.id);
    const set = this.#byTopic.get(subscriber.topic);
    if (!set?.delete(subscriber)) return;
    if (set.size === 0) this.#byTopic.delete(subscriber.topic);
  }
}
