import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlaceCallRequest } from "@switchboard/schema/internal/calls";
import { signInternalRequest } from "@switchboard/schema/internal-signature";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readMediaNodeEnv } from "../env.js";
import { createMediaNode, type MediaNode } from "../server.js";
import { agentReply, FakeEdge } from "../testing/fake-edge.js";
import { hookBase, postHook, WEBHOOK_SECRET } from "../testing/jambonz-hooks.js";
import { DIAL_MEMORY_MS, DialBook } from "./dials.js";
import { ENDED_UNOBSERVED } from "./recovery.js";
import { CALL_MEMORY_MS, CallRegistry, type CallTag } from "./registry.js";

const SECRET = "internal-secret-for-media-node-tests";
const TAG: CallTag = {
  call_id: "0b8f5a4e-2a43-4f7e-9d6e-5a1f3c2b7e10",
  org_id: "6f1d2c3b-4a59-4e6d-8f70-112233445566",
  attempt: 1,
  amd: false,
};
const REQUEST: PlaceCallRequest = { ...TAG, amd: false, campaign_id: null, to: "+15551230001", from: null };

let edge: FakeEdge;
let dir: string;
let nodes: MediaNode[];
let placed: PlaceCallRequest[];
let jambonzLive: Set<string>;

beforeEach(async () => {
  edge = await new FakeEdge(SECRET).start();
  dir = mkdtempSync(join(tmpdir(), "media-node-dials-"));
  nodes = [];
  placed = [];
  jambonzLive = new Set();
});

afterEach(async () => {
  for (const node of nodes) node.outbox.stop();
  await edge.stop();
});

/** A media node on the outbox file in `dir` (a restart is a second node on the same file). */
function startNode(options: { placeDelayMs?: number } = {}): MediaNode {
  const node = createMediaNode({
    config: readMediaNodeEnv({
      EDGE_URL: edge.url,
      INTERNAL_API_SECRET: SECRET,
      JAMBONZ_WEBHOOK_SECRET: WEBHOOK_SECRET,
    }),
    outboxFile: join(dir, "outbox.jsonl"),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    placeCall: async (request) => {
      placed.push(request);
      if (options.placeDelayMs) await new Promise((resolve) => setTimeout(resolve, options.placeDelayMs));
      const sid = `sid-${placed.length}`;
      jambonzLive.add(sid);
      return sid;
    },
    lookupCall: async (sid) => (jambonzLive.has(sid) ? "live" : "gone"),
    log: () => {},
  });
  node.outbox.start();
  nodes.push(node);
  return node;
}

async function place(node: MediaNode, request: PlaceCallRequest = REQUEST): Promise<Response> {
  const body = JSON.stringify(request);
  const headers = {
    "content-type": "application/json",
    ...(await signInternalRequest({ secret: SECRET, method: "POST", path: "/internal/v1/calls", body })),
  };
  return node.app.request("/internal/v1/calls", { method: "POST", headers, body });
}

async function sidOf(response: Promise<Response>): Promise<string> {
  const answer = await response;
  expect(answer.status).toBe(202);
  return ((await answer.json()) as { jambonz_call_sid: string }).jambonz_call_sid;
}

function status(node: MediaNode, sid: string, tag: CallTag, call_status: string): Promise<Response> {
  return postHook(node.app, "/jambonz/status", { ...hookBase(sid, tag), call_status });
}

describe("POST /internal/v1/calls is idempotent on (call_id, attempt)", () => {
  it("answers a repeated request with the same sid and places the call once", async () => {
    const node = startNode();
    const first = await sidOf(place(node));
    const again = await sidOf(place(node));

    expect(again).toBe(first);
    expect(placed).toHaveLength(1);
  });

  it("places once when the repeat arrives while jambonz is still answering the first", async () => {
    const node = startNode({ placeDelayMs: 50 });
    const sids = await Promise.all([sidOf(place(node)), sidOf(place(node)), sidOf(place(node))]);

    expect(new Set(sids).size).toBe(1);
    expect(placed).toHaveLength(1);
  });

  it("places a new dial for the next attempt", async () => {
    const node = startNode();
    const first = await sidOf(place(node));
    const second = await sidOf(place(node, { ...REQUEST, attempt: 2 }));

    expect(second).not.toBe(first);
    expect(placed.map((request) => request.attempt)).toEqual([1, 2]);
  });

  it("still knows the dial after a restart, even once it has ended", async () => {
    const first = startNode();
    const sid = await sidOf(place(first));
    await status(first, sid, TAG, "completed");
    first.outbox.stop();

    const restarted = startNode();
    expect(await sidOf(place(restarted))).toBe(sid);
    expect(placed).toHaveLength(1);
    // An ended dial is not brought back to the live calls by the repeat.
    expect(restarted.registry.isLive(TAG.call_id)).toBe(false);
  });

  it("answers 502 and remembers nothing when jambonz refuses, so the edge's retry dials", async () => {
    let refuse = true;
    const node = createMediaNode({
      config: readMediaNodeEnv({ EDGE_URL: edge.url, INTERNAL_API_SECRET: SECRET }),
      outboxFile: null,
      placeCall: async () => {
        if (refuse) throw new Error("503 Service Unavailable");
        return "sid-after-refusal";
      },
      log: () => {},
    });
    nodes.push(node);
    expect((await place(node)).status).toBe(502);
    refuse = false;
    expect(await sidOf(place(node))).toBe("sid-after-refusal");
  });
});

describe("recovery after a restart", () => {
  const SECOND: CallTag = { ...TAG, call_id: "1c9f6b5f-3b54-4f8f-8e7f-6b2f4d3c8f21" };
  const THIRD: CallTag = { ...TAG, call_id: "2d0a7c6a-4c65-4a9a-9f80-7c3a5e4d9a32" };

  it("reports the end of dials that ended while it was down, and keeps the live ones", async () => {
    const first = startNode();
    const answered = await sidOf(place(first));
    const ringing = await sidOf(place(first, { ...REQUEST, call_id: SECOND.call_id }));
    const live = await sidOf(place(first, { ...REQUEST, call_id: THIRD.call_id }));
    await status(first, answered, TAG, "in-progress");
    await status(first, ringing, SECOND, "ringing");
    await first.outbox.drain();
    first.outbox.stop(); // the crash: then jambonz ends two calls, and their final hooks find nobody
    jambonzLive.delete(answered);
    jambonzLive.delete(ringing);
    const before = edge.events.length;

    const restarted = startNode();
    expect(restarted.registry.resolve({ call_sid: live })?.tag.call_id).toBe(THIRD.call_id);
    expect(await restarted.recover()).toBe(2);
    await restarted.outbox.drain();

    const finals = edge.events.slice(before);
    expect(finals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          idempotency_key: `${TAG.call_id}:1:status:completed`,
          jambonz_call_sid: answered,
          hangup_cause: ENDED_UNOBSERVED,
        }),
        expect.objectContaining({
          idempotency_key: `${SECOND.call_id}:1:status:failed`,
          jambonz_call_sid: ringing,
          hangup_cause: ENDED_UNOBSERVED,
        }),
      ]),
    );
    expect(finals).toHaveLength(2);
    expect(restarted.registry.isLive(TAG.call_id)).toBe(false);
    expect(restarted.registry.isLive(THIRD.call_id)).toBe(true);

    // A third start has nothing left to settle.
    restarted.outbox.stop();
    expect(await startNode().recover()).toBe(0);
  });

  it("numbers a resumed call's turns past the ones the earlier process used", async () => {
    edge.turnReplies = [agentReply({ say: "Still there?" })];
    const first = startNode();
    const sid = await sidOf(place(first));
    first.outbox.stop();

    const restarted = startNode();
    await postHook(restarted.app, "/jambonz/gather", { ...hookBase(sid, TAG), reason: "timeout" });
    await restarted.outbox.drain();

    const turns = edge.events.filter((event) => event.type === "turn");
    expect(turns.map((event) => event.type === "turn" && event.sequence)).toEqual([500]);
  });
});

describe("memory bounds", () => {
  it("forgets a live call that never got a final status after the bound", () => {
    let now = 0;
    const registry = new CallRegistry({ now: () => now });
    registry.remember(TAG, "sid-lost");
    now = CALL_MEMORY_MS - 1;
    registry.sweep({ force: true });
    expect(registry.isLive(TAG.call_id)).toBe(true);

    now = CALL_MEMORY_MS + 2 * 60 * 1000; // past the bound and past the sweep interval
    registry.remember({ ...TAG, call_id: "1c9f6b5f-3b54-4f8f-8e7f-6b2f4d3c8f21" }, "sid-new");
    expect(registry.isLive(TAG.call_id)).toBe(false);
    expect(registry.resolve({ call_sid: "sid-lost" })).toBeNull();
    expect(registry.size).toBe(1);
  });

  it("forgets dials after the bound, in memory and in its file", async () => {
    let now = 0;
    const file = join(dir, "book.jsonl");
    const book = new DialBook({ file, now: () => now });
    await book.place(REQUEST, async () => "sid-old");
    now = DIAL_MEMORY_MS + 1;
    await book.place({ ...REQUEST, attempt: 2 }, async () => "sid-new");

    expect(book.size).toBe(1);
    expect(book.get(TAG)).toBeUndefined();
    expect(existsSync(file) && readFileSync(file, "utf8")).not.toContain("sid-old");
    expect(new DialBook({ file, now: () => now }).load().map((dial) => dial.jambonzCallSid)).toEqual(["sid-new"]);
  });
});
