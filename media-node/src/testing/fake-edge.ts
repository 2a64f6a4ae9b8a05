import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { AgentTurnRequest, AgentTurnResponse, CallEvent } from "@switchboard/schema/internal/calls";
import {
  INTERNAL_SIGNATURE_HEADER,
  INTERNAL_TIMESTAMP_HEADER,
  verifyInternalRequest,
} from "@switchboard/schema/internal-signature";
import { Hono } from "hono";

export type RecordedRequest = { method: string; path: string; contentType: string; body: Uint8Array };

/**
 * The edge's internal API as the media node sees it: checks every signature, records what arrived, answers
 * agent turns from a script. `down = true` makes it answer 503 (the edge failing).
 */
export class FakeEdge {
  readonly requests: RecordedRequest[] = [];
  readonly unsigned: string[] = [];
  down = false;
  /** Answers event batches 422 (an edge that does not take them). */
  refuseBatches = false;
  /** Requests answered 503 while down. */
  failures = 0;
  turnReplies: AgentTurnResponse[] = [];
  inboundOwner: { call_id: string; org_id: string } | null = null;
  url = "";
  private close: () => Promise<void> = async () => {};

  constructor(readonly secret: string) {}

  /** Every event received, batches unpacked, in arrival order. */
  get events(): CallEvent[] {
    return this.requests.flatMap((request) => {
      const body = () => JSON.parse(new TextDecoder().decode(request.body)) as unknown;
      if (request.path.endsWith("/events")) return [body() as CallEvent];
      if (request.path.endsWith("/events/batch")) return (body() as { events: CallEvent[] }).events;
      return [];
    });
  }

  get turns(): AgentTurnRequest[] {
    return this.requests
      .filter((request) => request.path.endsWith("/turn"))
      .map((request) => JSON.parse(new TextDecoder().decode(request.body)) as AgentTurnRequest);
  }

  async start(): Promise<this> {
    const app = new Hono();
    app.use("*", async (c, next) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const url = new URL(c.req.url);
      const check = await verifyInternalRequest({
        secret: this.secret,
        method: c.req.method,
        path: `${url.pathname}${url.search}`,
        body,
        timestamp: c.req.header(INTERNAL_TIMESTAMP_HEADER),
        signature: c.req.header(INTERNAL_SIGNATURE_HEADER),
      });
      if (!check.ok) {
        this.unsigned.push(url.pathname);
        return c.json({ error: check.message }, 401);
      }
      if (this.down) {
        this.failures += 1;
        return c.json({ error: "down" }, 503);
      }
      if (this.refuseBatches && url.pathname.endsWith("/events/batch")) return c.json({ error: "refused" }, 422);
      this.requests.push({
        method: c.req.method,
        path: url.pathname,
        contentType: c.req.header("content-type") ?? "",
        body,
      });
      await next();
    });
    app.post("/internal/v1/calls/:id/events", (c) => c.json({ applied: true }));
    app.post("/internal/v1/calls/:id/events/batch", async (c) => {
      const { events } = (await c.req.json()) as { events: unknown[] };
      return c.json({ applied: events.map(() => true) });
    });
    app.post("/internal/v1/calls/:id/turn", (c) => {
      const reply = this.turnReplies.shift();
      return reply ? c.json(reply) : c.json({ error: "no scripted reply" }, 500);
    });
    app.post("/internal/v1/inbound-calls", (c) =>
      this.inboundOwner ? c.json(this.inboundOwner) : c.json({ error: "not found" }, 404),
    );
    app.put("/internal/v1/calls/:id/recording", (c) => c.json({ ok: true }));
    await new Promise<void>((resolve) => {
      const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => {
        this.url = `http://127.0.0.1:${info.port}`;
        resolve();
      });
      this.close = () => new Promise((done) => server.close(() => done()));
    });
    return this;
  }

  stop(): Promise<void> {
    return this.close();
  }
}

/** An agent reply with the demo agent's speech settings. */
export function agentReply(overrides: Partial<AgentTurnResponse> = {}): AgentTurnResponse {
  return {
    say: "Hello, this is Switchboard calling.",
    action: "continue",
    transfer_to: null,
    gather_timeout_s: 5,
    barge_in: true,
    step: "greeting",
    intent: null,
    speech: {
      synthesizer: { vendor: "google", language: "en-US", voice: "en-US-Standard-C" },
      recognizer: { vendor: "google", language: "en-US", hints: ["yes", "no"] },
    },
    ...overrides,
  };
}
