import { DurableObject } from "cloudflare:workers";
import { ObjectDatabase } from "../db/client.js";
import { readEnv } from "../env.js";
import { freshCampaignLiveStats } from "../stats/service.js";
import { Fanout } from "./fanout.js";
import type { PublishBody } from "./publish.js";
import { topics } from "./topics.js";

/**
 * An empty line down every open stream this often. A Worker whose client went away stops reading without
 * telling anyone; the hub only learns it when a write fails, so this bounds how long a gone subscriber
 * stays registered. (Clients get Yoga's own SSE ping every 12 s.)
 */
const HEARTBEAT_MS = 2_000;
/** campaignProgress: at most four pushes a second per campaign, whatever the rate of changes. */
export const PROGRESS_INTERVAL_MS = 250;
const CONNECTION_IDLE_MS = 30_000;

type ProgressState = { lastAt: number; running: boolean; dirty: boolean };

/**
 * An organisation's pub/sub hub (one per org, or per shard of its topics: see topics.ts). Subscribers hold
 * a streaming GET /subscribe?topic=…&id=… open and receive newline-delimited JSON events; POST /publish fans
 * events out (fanout.ts: bounded queues, slow subscribers dropped). Nothing is stored: a subscriber sees what
 * is published while it is connected.
 */
export class EventHub extends DurableObject {
  readonly #fanout = new Fanout((topic) =>
    console.warn(JSON.stringify({ eventHub: "dropped a slow subscriber", topic })),
  );
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
      // Cancelling the stream alone is not enough: the cancel only reaches this object at its next write.
      this.#fanout.close(url.searchParams.get("id") ?? "");
      return new Response(null, { status: 204 });
    }
    if (request.method === "POST" && url.pathname === "/publish") {
      this.publish((await request.json()) as PublishBody);
      return new Response(null, { status: 202 });
    }
    if (request.method === "GET" && url.pathname === "/stats") return Response.json(this.#fanout.stats());
    return new Response("Not Found", { status: 404 });
  }

  private subscribe(topic: string, id: string): Response {
    const stream = this.#fanout.open(topic, id);
    this.#heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_MS);
    return new Response(stream, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" } });
  }

  private beat(): void {
    this.#fanout.heartbeat();
    if (this.#fanout.size === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = null;
    }
  }

  private publish({ orgId, deliveries }: PublishBody): void {
    for (const { topic, event } of deliveries) {
      if (event.type === "progress") this.progressChanged(orgId, event.campaignId);
      else this.#fanout.send(topic, { orgId, message: event });
    }
  }

  /** Recomputes a campaign's live figures at most every PROGRESS_INTERVAL_MS, only while someone listens. */
  private progressChanged(orgId: string, campaignId: string): void {
    if (!this.#fanout.has(topics.progress(campaignId))) return;
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
        this.#fanout.send(topics.progress(campaignId), { orgId, message: { type: "progress_stats", stats } });
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
}
