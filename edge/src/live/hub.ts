import { DurableObject } from "cloudflare:workers";
import { ObjectDatabase } from "../db/client.js";
import { readEnv } from "../env.js";
import { freshCampaignLiveStats } from "../stats/service.js";
import type { HubEnvelope } from "./events.js";
import type { PublishBody } from "./publish.js";
import { topics } from "./topics.js";

/** Events a subscriber may have waiting before it counts as too slow and is dropped. */
export const MAX_QUEUED_EVENTS = 256;
/**
 * An empty line down every open stream this often. A Worker whose client went away stops reading without
 * telling anyone; the hub only learns it when a write fails, so this bounds how long a gone subscriber
 * stays registered. (Clients get Yoga's own SSE ping every 12 s.)
 */
const HEARTBEAT_MS = 2_000;
/** campaignProgress: at most four pushes a second per campaign, whatever the rate of changes. */
export const PROGRESS_INTERVAL_MS = 250;
const CONNECTION_IDLE_MS = 30_000;

type Subscriber = { id: string; topic: string; controller: ReadableStreamDefaultController<Uint8Array> };
type ProgressState = { lastAt: number; running: boolean; dirty: boolean };

const encoder = new TextEncoder();

/**
 * An organisation's pub/sub hub (one per org, or per shard of its topics: see topics.ts). Subscribers hold
 * a streaming GET /subscribe?topic=… open and receive newline-delimited JSON events; POST /publish fans events
 * out. Each subscriber has a bounded queue: one that does not read is dropped, never waited for. Nothing is
 * stored: a subscriber sees what is published while it is connected.
 */
export class EventHub extends DurableObject {
  readonly #subscribers = new Map<string, Set<Subscriber>>();
  readonly #byId = new Map<string, Subscriber>();
  readonly #progress = new Map<string, ProgressState>();
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #database: ObjectDatabase | undefined;

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/subscribe") {
      const topic = url.searchParams.get("topic");
      const id = url.searchParams.get("id");
      return topic && id ? this.subscribe(topic, id) : new Response("topic and id required", { status: 400 });
    }
    if (request.method === "POST" && url.pathname === "/unsubscribe") {
      this.unsubscribe(url.searchParams.get("id") ?? "");
      return new Response(null, { status: 204 });
    }
    if (request.method === "POST" && url.pathname === "/publish") {
      this.publish((await request.json()) as PublishBody);
      return new Response(null, { status: 202 });
    }
    if (request.method === "GET" && url.pathname === "/stats") return Response.json(this.stats());
    return new Response("Not Found", { status: 404 });
  }

  private subscribe(topic: string, id: string): Response {
    let subscriber: Subscriber | undefined;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          subscriber = { id, topic, controller };
          this.add(subscriber);
          // A first line at once: the subscriber knows it is registered before anything is published.
          controller.enqueue(encoder.encode("\n"));
        },
        cancel: () => {
          if (subscriber) this.remove(subscriber);
        },
      },
      new CountQueuingStrategy({ highWaterMark: MAX_QUEUED_EVENTS }),
    );
    return new Response(stream, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" } });
  }

  /**
   * Ends a subscription its Worker gave up on. Cancelling the stream alone is not enough: the cancel only
   * reaches this object at the stream's next write.
   */
  private unsubscribe(id: string): void {
    const subscriber = this.#byId.get(id);
    if (!subscriber) return;
    this.remove(subscriber);
    try {
      subscriber.controller.close();
    } catch {
      // Already closed or errored.
    }
  }

  private publish({ orgId, deliveries }: PublishBody): void {
    for (const { topic, event } of deliveries) {
      if (event.type === "progress") this.progressChanged(orgId, event.campaignId);
      else this.send(topic, { orgId, message: event });
    }
  }

  private send(topic: string, envelope: HubEnvelope): void {
    const subscribers = this.#subscribers.get(topic);
    if (!subscribers) return;
    const line = encoder.encode(`${JSON.stringify(envelope)}\n`);
    for (const subscriber of subscribers) this.offer(subscriber, line);
  }

  /** Queues a line for one subscriber, or drops the subscriber when its queue is full. */
  private offer(subscriber: Subscriber, line: Uint8Array): void {
    const { controller } = subscriber;
    if ((controller.desiredSize ?? 0) <= 0) {
      console.warn(JSON.stringify({ eventHub: "dropped a slow subscriber", topic: subscriber.topic }));
      this.remove(subscriber);
      controller.error(new Error("subscriber too slow"));
      return;
    }
    try {
      controller.enqueue(line);
    } catch {
      this.remove(subscriber);
    }
  }

  /** Recomputes a campaign's live figures at most every PROGRESS_INTERVAL_MS, only while someone listens. */
  private progressChanged(orgId: string, campaignId: string): void {
    if (!this.#subscribers.has(topics.progress(campaignId))) return;
    const state = this.#progress.get(campaignId) ?? { lastAt: 0, running: false, dirty: false };
    this.#progress.set(campaignId, state);
    state.dirty = true;
    if (!state.running) this.scheduleProgress(orgId, campaignId, state);
  }

  /** One computation at a time; a change that lands during one (maybe after its read) triggers another. */
  private scheduleProgress(orgId: string, campaignId: string, state: ProgressState): void {
    state.running = true;
    const wait = Math.max(0, state.lastAt + PROGRESS_INTERVAL_MS - Date.now());
    setTimeout(async () => {
      state.dirty = false;
      try {
        const stats = await freshCampaignLiveStats(this.database().db, orgId, { id: campaignId });
        this.send(topics.progress(campaignId), { orgId, message: { type: "progress_stats", stats } });
      } catch (error) {
        console.error(JSON.stringify({ eventHub: orgId, campaign: campaignId, progress: String(error) }));
      } finally {
        // Measured from the send, so pushes stay PROGRESS_INTERVAL_MS apart however long the query took.
        state.lastAt = Date.now();
        state.running = false;
        if (state.dirty) this.scheduleProgress(orgId, campaignId, state);
      }
    }, wait);
  }

  private database(): ObjectDatabase {
    this.#database ??= new ObjectDatabase(readEnv(this.env as object), CONNECTION_IDLE_MS);
    return this.#database;
  }

  private add(subscriber: Subscriber): void {
    const set = this.#subscribers.get(subscriber.topic) ?? new Set();
    set.add(subscriber);
    this.#subscribers.set(subscriber.topic, set);
    this.#byId.set(subscriber.id, subscriber);
    this.#heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  private remove(subscriber: Subscriber): void {
    this.#byId.delete(subscriber.id);
    const set = this.#subscribers.get(subscriber.topic);
    if (!set?.delete(subscriber)) return;
    if (set.size === 0) this.#subscribers.delete(subscriber.topic);
    if (this.#subscribers.size === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = null;
    }
  }

  private beat(): void {
    const line = encoder.encode("\n");
    for (const set of [...this.#subscribers.values()]) for (const subscriber of [...set]) this.offer(subscriber, line);
  }

  /** Subscribers per topic, for metrics and for tests that check a disconnect frees its subscription. */
  private stats(): { subscribers: number; topics: Record<string, number> } {
    const perTopic = Object.fromEntries([...this.#subscribers].map(([topic, set]) => [topic, set.size]));
    return { subscribers: Object.values(perTopic).reduce((sum, count) => sum + count, 0), topics: perTopic };
  }
}
