import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { PlaceCallRequest } from "@switchboard/schema/internal/calls";
import { signInternalRequest } from "@switchboard/schema/internal-signature";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { CallTag } from "./calls/registry.js";
import { EdgeClient } from "./edge/client.js";
import { Outbox } from "./edge/outbox.js";
import { readMediaNodeEnv } from "./env.js";
import { createMediaNode, type MediaNode } from "./server.js";
import { agentReply, FakeEdge } from "./testing/fake-edge.js";
import { hookBase, jambonzSignature, postHook, WEBHOOK_SECRET } from "./testing/jambonz-hooks.js";

const SECRET = "internal-secret-for-media-node-tests";
const PUBLIC_URL = "http://media.test:8790";
const TAG: CallTag = {
  call_id: "0b8f5a4e-2a43-4f7e-9d6e-5a1f3c2b7e10",
  org_id: "6f1d2c3b-4a59-4e6d-8f70-112233445566",
  attempt: 1,
};
const SID = "b1c2d3e4-0000-4000-8000-000000000001";

let edge: FakeEdge;
let node: MediaNode;
let placed: PlaceCallRequest[];

function configFor(edgeUrl: string) {
  return readMediaNodeEnv({
    EDGE_URL: edgeUrl,
    INTERNAL_API_SECRET: SECRET,
    PUBLIC_URL,
    JAMBONZ_WEBHOOK_SECRET: WEBHOOK_SECRET,
  });
}

beforeEach(async () => {
  edge = await new FakeEdge(SECRET).start();
  placed = [];
  node = createMediaNode({
    config: configFor(edge.url),
    outboxFile: null,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    placeCall: async (request) => {
      placed.push(request);
      return SID;
    },
    log: () => {},
  });
});

afterEach(async () => {
  node.outbox.stop();
  await edge.stop();
});

async function json(response: Response): Promise<unknown> {
  expect(response.status).toBe(200);
  return response.json();
}

describe("jambonz hook signatures", () => {
  it("refuses unsigned hooks with 401 and forged or stale ones with 403", async () => {
    const body = JSON.stringify({ ...hookBase(SID, TAG), call_status: "ringing" });
    const unsigned = await node.app.request("/jambonz/status", { method: "POST", body });
    const forged = await node.app.request("/jambonz/status", {
      method: "POST",
      body,
      headers: { "jambonz-signature": jambonzSignature(body, "not-the-secret") },
    });
    const stale = await node.app.request("/jambonz/status", {
      method: "POST",
      body,
      headers: { "jambonz-signature": jambonzSignature(body, WEBHOOK_SECRET, Date.now() - 10 * 60_000) },
    });
    const tampered = await node.app.request("/jambonz/status", {
      method: "POST",
      body: body.replace("ringing", "completed"),
      headers: { "jambonz-signature": jambonzSignature(body) },
    });

    expect([unsigned.status, forged.status, stale.status, tampered.status]).toEqual([401, 403, 403, 403]);
    await node.outbox.drain();
    expect(edge.requests).toEqual([]);
  });
});

describe("POST /internal/v1/calls", () => {
  const request: PlaceCallRequest = { ...TAG, campaign_id: null, to: "+15551230001", from: null, amd: true };

  async function place(body: string, signed = true): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (signed)
      Object.assign(
        headers,
        await signInternalRequest({ secret: SECRET, method: "POST", path: "/internal/v1/calls", body }),
      );
    return node.app.request("/internal/v1/calls", { method: "POST", headers, body });
  }

  it("places a signed request on jambonz and answers 202 with the call sid", async () => {
    const response = await place(JSON.stringify(request));

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ call_id: TAG.call_id, jambonz_call_sid: SID });
    expect(placed).toEqual([request]);
  });

  it("refuses unsigned requests and invalid bodies", async () => {
    expect((await place(JSON.stringify(request), false)).status).toBe(401);
    expect((await place(JSON.stringify({ ...request, to: "0612" }))).status).toBe(400);
    expect(placed).toEqual([]);
  });

  it("creates the call through jambonz's REST API with hooks, tag and AMD", async () => {
    const created: Array<{ path: string; auth: string | undefined; body: Record<string, unknown> }> = [];
    const jambonz = new Hono();
    jambonz.post("/v1/Accounts/:account/Calls", async (c) => {
      created.push({ path: c.req.path, auth: c.req.header("authorization"), body: await c.req.json() });
      return c.json({ sid: "jambonz-sid-1" }, 201);
    });
    const { url, close } = await listen(jambonz);
    const config = readMediaNodeEnv({ ...rawConfig(edge.url), JAMBONZ_API_URL: url, JAMBONZ_API_KEY: "key-1" });
    const real = createMediaNode({ config, outboxFile: null });
    try {
      const body = JSON.stringify(request);
      const headers = await signInternalRequest({ secret: SECRET, method: "POST", path: "/internal/v1/calls", body });
      const response = await real.app.request("/internal/v1/calls", { method: "POST", headers, body });

      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ call_id: TAG.call_id, jambonz_call_sid: "jambonz-sid-1" });
      expect(created).toEqual([
        {
          path: `/v1/Accounts/${config.JAMBONZ_ACCOUNT_SID}/Calls`,
          auth: "Bearer key-1",
          body: {
            from: config.JAMBONZ_FROM,
            to: { type: "phone", number: "+15551230001" },
            call_hook: `${PUBLIC_URL}/jambonz/call`,
            call_status_hook: `${PUBLIC_URL}/jambonz/status`,
            tag: { ...TAG, amd: true },
            amd: { actionHook: `${PUBLIC_URL}/jambonz/amd` },
          },
        },
      ]);
    } finally {
      await close();
    }
  });
});

describe("call status hook", () => {
  it("reports each jambonz status as the edge's line state, once, with duration and cause at the end", async () => {
    for (const call_status of ["trying", "ringing", "early-media", "in-progress", "in-progress"]) {
      expect((await postHook(node.app, "/jambonz/status", { ...hookBase(SID, TAG), call_status })).status).toBe(204);
    }
    await postHook(node.app, "/jambonz/status", {
      ...hookBase(SID, TAG),
      call_status: "completed",
      duration: 42,
      call_termination_by: "caller",
      sip_reason: "OK",
    });
    await node.outbox.drain();

    const events = edge.events;
    expect(events.map((event) => event.type === "status" && event.status)).toEqual([
      "calling",
      "ringing",
      "in_progress",
      "completed",
    ]);
    expect(new Set(events.map((event) => event.idempotency_key)).size).toBe(4);
    expect(events[3]).toMatchObject({
      idempotency_key: `${TAG.call_id}:1:status:completed`,
      attempt: 1,
      jambonz_call_sid: SID,
      duration_ms: 42_000,
      sip_status: 200,
      hangup_cause: "OK",
    });
  });

  it("maps every jambonz call_status onto the edge's line states", async () => {
    const mapping: Array<[string, string | null]> = [
      ["trying", "calling"],
      ["ringing", "ringing"],
      ["early-media", "ringing"],
      ["in-progress", "in_progress"],
      ["queued", null],
      ["completed", "completed"],
      ["failed", "failed"],
      ["busy", "busy"],
      ["no-answer", "no_answer"],
    ];
    for (const [index, [call_status]] of mapping.entries()) {
      // One dial per status, so each report stands alone.
      const tag = { ...TAG, attempt: index + 1 };
      await postHook(node.app, "/jambonz/status", { ...hookBase(`sid-${index}`, tag), call_status, sip_status: 486 });
    }
    await node.outbox.drain();
    const reported = new Map(
      edge.events.map((event) => [event.attempt, event.type === "status" ? event.status : null]),
    );
    expect(mapping.map(([status], index) => [status, reported.get(index + 1) ?? null])).toEqual(mapping);
  });
});

describe("the conversation", () => {
  it("greets on answer, records, hears the contact, and hangs up when the agent says so", async () => {
    edge.turnReplies = [
      agentReply(),
      agentReply({ say: "Great, goodbye.", action: "hangup", intent: "yes", step: "bye" }),
    ];

    const first = (await json(await postHook(node.app, "/jambonz/call", hookBase(SID, TAG)))) as Array<
      Record<string, unknown>
    >;
    expect(first.map((verb) => verb.verb)).toEqual(["config", "config", "gather"]);
    expect(first[0]).toMatchObject({
      listen: {
        enable: true,
        url: `ws://media.test:8790/jambonz/listen/${TAG.call_id}`,
        mixType: "mixed",
        sampleRate: 8000,
      },
    });
    expect(first[1]).toMatchObject({ synthesizer: { vendor: "google", voice: "en-US-Standard-C" } });
    expect(first[2]).toMatchObject({
      input: ["speech", "digits"],
      actionHook: `${PUBLIC_URL}/jambonz/gather`,
      timeout: 5,
      bargein: true,
      say: { text: "Hello, this is Switchboard calling." },
    });

    const second = (await json(
      await postHook(node.app, "/jambonz/gather", {
        ...hookBase(SID, TAG),
        reason: "speechDetected",
        speech: { is_final: true, alternatives: [{ transcript: "yes please", confidence: 0.92 }] },
      }),
    )) as Array<Record<string, unknown>>;
    expect(second.map((verb) => verb.verb)).toEqual(["config", "say", "hangup"]);
    await node.outbox.drain();

    expect(edge.turns).toEqual([
      { attempt: 1, input: { kind: "start" }, idempotency_key: expect.stringMatching(`^${TAG.call_id}:1:turn:1:`) },
      {
        attempt: 1,
        input: { kind: "speech", transcript: "yes please", confidence: 0.92 },
        idempotency_key: expect.stringMatching(`^${TAG.call_id}:1:turn:2:`),
      },
    ]);
    const turns = edge.events.filter((event) => event.type === "turn");
    expect(turns.map((turn) => [turn.sequence, turn.speaker, turn.text])).toEqual([
      [0, "agent", "Hello, this is Switchboard calling."],
      [1, "contact", "yes please"],
      [2, "agent", "Great, goodbye."],
    ]);
    expect(turns[2]).toMatchObject({ intent: "yes", idempotency_key: `${TAG.call_id}:1:turn:2` });
  });

  it("turns digits and silence into agent inputs", async () => {
    edge.turnReplies = [agentReply(), agentReply({ barge_in: false }), agentReply({ say: null })];
    await postHook(node.app, "/jambonz/call", hookBase(SID, TAG));
    const afterDigits = (await json(
      await postHook(node.app, "/jambonz/gather", { ...hookBase(SID, TAG), reason: "dtmfDetected", digits: "1" }),
    )) as Array<Record<string, unknown>>;
    const afterSilence = (await json(
      await postHook(node.app, "/jambonz/gather", { ...hookBase(SID, TAG), reason: "timeout" }),
    )) as Array<Record<string, unknown>>;

    expect(edge.turns.map((turn) => turn.input)).toEqual([
      { kind: "start" },
      { kind: "dtmf", digits: "1" },
      { kind: "silence" },
    ]);
    // Without barge-in the prompt is a separate say, so nothing interrupts it.
    expect(afterDigits.map((verb) => verb.verb)).toEqual(["config", "say", "gather"]);
    expect(afterSilence.map((verb) => verb.verb)).toEqual(["config", "gather"]);
  });

  it("answers inbound calls the edge owns, tags them, and turns away numbers nobody owns", async () => {
    const inboundCall = { ...hookBase("sid-in", null, "inbound"), call_status: "trying" };
    const refused = (await json(await postHook(node.app, "/jambonz/call", inboundCall))) as Array<
      Record<string, unknown>
    >;
    expect(refused.map((verb) => verb.verb)).toEqual(["say", "hangup"]);

    edge.inboundOwner = { call_id: TAG.call_id, org_id: TAG.org_id };
    edge.turnReplies = [agentReply()];
    const accepted = (await json(await postHook(node.app, "/jambonz/call", inboundCall))) as Array<
      Record<string, unknown>
    >;
    expect(accepted.map((verb) => verb.verb)).toEqual(["tag", "config", "config", "gather"]);
    expect(accepted[0]).toEqual({ verb: "tag", data: { ...TAG } });
    const inboundRequests = edge.requests.filter((request) => request.path === "/internal/v1/inbound-calls");
    expect(JSON.parse(new TextDecoder().decode(inboundRequests[0]?.body))).toEqual({
      to: "+15551230001",
      from: "+15005550006",
      jambonz_call_sid: "sid-in",
    });
  });

  it("transfers: sip:refer for SIP targets, dial for phone numbers", async () => {
    edge.turnReplies = [
      agentReply({ action: "transfer", transfer_to: "sip:agent@pbx.example", say: "Transferring you now." }),
    ];
    const verbs = (await json(await postHook(node.app, "/jambonz/call", hookBase(SID, TAG)))) as Array<
      Record<string, unknown>
    >;
    expect(verbs.slice(1).map((verb) => verb.verb)).toEqual(["config", "say", "sip:refer", "hangup"]);
    expect(verbs[3]).toMatchObject({ referTo: "sip:agent@pbx.example" });
  });
});

describe("answering-machine detection", () => {
  const amdTag: CallTag = { ...TAG, amd: true };

  it("waits on answer, and on a machine waits for the beep, leaves the voicemail and hangs up", async () => {
    edge.turnReplies = [agentReply({ say: "Please call us back.", action: "continue" })];

    const waiting = (await json(await postHook(node.app, "/jambonz/call", hookBase(SID, amdTag)))) as Array<
      Record<string, unknown>
    >;
    expect(waiting.map((verb) => verb.verb)).toEqual(["config", "pause", "redirect"]);

    const machine = await json(
      await postHook(node.app, "/jambonz/amd", {
        ...hookBase(SID, amdTag),
        type: "amd_machine_detected",
        reason: "long greeting",
      }),
    );
    expect(machine).toEqual([]);
    expect(edge.turns).toEqual([]);

    const beep = (await json(
      await postHook(node.app, "/jambonz/amd", {
        ...hookBase(SID, amdTag),
        type: "amd_tone_detected",
        frequency: 1000,
      }),
    )) as Array<Record<string, unknown>>;
    expect(beep.map((verb) => verb.verb)).toEqual(["config", "say", "hangup"]);
    expect(beep[1]).toMatchObject({ text: "Please call us back." });

    // The greeting's end can be reported twice (silence, then the beep): one voicemail only.
    const again = await json(
      await postHook(node.app, "/jambonz/amd", { ...hookBase(SID, amdTag), type: "amd_machine_stopped_speaking" }),
    );
    expect(again).toEqual([]);

    await node.outbox.drain();
    expect(edge.turns).toMatchObject([{ attempt: 1, input: { kind: "voicemail" } }]);
    expect(edge.events.filter((event) => event.type === "amd")).toMatchObject([
      { verdict: "machine", idempotency_key: `${TAG.call_id}:1:amd` },
    ]);
  });

  it("starts the conversation when a person answers", async () => {
    edge.turnReplies = [agentReply()];
    await postHook(node.app, "/jambonz/call", hookBase(SID, amdTag));
    const human = (await json(
      await postHook(node.app, "/jambonz/amd", {
        ...hookBase(SID, amdTag),
        type: "amd_human_detected",
        reason: "short greeting",
      }),
    )) as Array<Record<string, unknown>>;

    expect(human.map((verb) => verb.verb)).toEqual(["config", "gather"]);
    expect(edge.turns).toMatchObject([{ attempt: 1, input: { kind: "start" } }]);
  });

  it("lets the call hook greet when the person was detected before it was answered", async () => {
    edge.turnReplies = [agentReply()];
    // The AMD hook overtakes the call hook: greeting from it would be replaced by the call hook's answer.
    const early = await json(
      await postHook(node.app, "/jambonz/amd", { ...hookBase(SID, amdTag), type: "amd_human_detected" }),
    );
    expect(early).toEqual([]);
    expect(edge.turns).toEqual([]);

    const answer = (await json(await postHook(node.app, "/jambonz/call", hookBase(SID, amdTag)))) as Array<
      Record<string, unknown>
    >;
    expect(answer.map((verb) => verb.verb)).toEqual(["config", "config", "gather"]);
    expect(edge.turns).toMatchObject([{ attempt: 1, input: { kind: "start" } }]);
  });
});

describe("recording", () => {
  it("turns the listen stream into a WAV and PUTs it to the edge", async () => {
    const { url, server, close } = await listen(node.app);
    node.attach(server);
    try {
      await postHook(node.app, "/jambonz/status", { ...hookBase(SID, TAG), call_status: "ringing" });
      const socket = new WebSocket(`${url.replace("http", "ws")}/jambonz/listen/${TAG.call_id}`, "audio.jambonz.org");
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      expect(socket.protocol).toBe("audio.jambonz.org");
      socket.send(JSON.stringify({ callSid: SID, sampleRate: 8000, mixType: "mixed" }));
      const frame = Buffer.alloc(320, 1); // 20 ms at 8 kHz, 16-bit mono
      for (let index = 0; index < 10; index++) socket.send(frame);
      await new Promise((resolve) => {
        socket.once("close", resolve);
        socket.close(1000);
      });
      await waitFor(() => node.outbox.size > 0 || edge.requests.some((request) => request.method === "PUT"));
      await node.outbox.drain();

      const upload = edge.requests.find((request) => request.method === "PUT");
      expect(upload?.path).toBe(`/internal/v1/calls/${TAG.call_id}/recording`);
      expect(upload?.contentType).toBe("audio/wav");
      const wav = Buffer.from(upload?.body ?? new Uint8Array());
      expect(wav.subarray(0, 4).toString("ascii")).toBe("RIFF");
      expect(wav.subarray(8, 12).toString("ascii")).toBe("WAVE");
      expect(wav.readUInt16LE(22)).toBe(1); // channels
      expect(wav.readUInt32LE(24)).toBe(8000);
      expect(wav.readUInt32LE(40)).toBe(3200);
      expect(wav.length).toBe(44 + 3200);
    } finally {
      await close();
    }
  });

  it("refuses streams for calls it is not running", async () => {
    const { url, server, close } = await listen(node.app);
    node.attach(server);
    try {
      const socket = new WebSocket(`${url.replace("http", "ws")}/jambonz/listen/${TAG.call_id}`, "audio.jambonz.org");
      const failure = await new Promise<string>((resolve) => {
        socket.once("unexpected-response", (_request, response) => resolve(String(response.statusCode)));
        socket.once("error", (error) => resolve(error.message));
      });
      expect(failure).toContain("404");
    } finally {
      await close();
    }
  });
});

describe("the outbox", () => {
  it("keeps reports while the edge fails and delivers them once it is back", async () => {
    edge.down = true;
    await postHook(node.app, "/jambonz/status", { ...hookBase(SID, TAG), call_status: "completed", duration: 3 });
    await waitFor(() => edge.failures >= 3);
    expect(edge.failures).toBeGreaterThanOrEqual(3);
    expect(edge.requests).toEqual([]);
    expect(node.outbox.size).toBe(1);

    edge.down = false;
    await node.outbox.drain();
    expect(edge.events).toMatchObject([{ type: "status", status: "completed", duration_ms: 3000 }]);
  });

  it("sends the reports that waited behind a failing delivery as one batch, in order", async () => {
    edge.down = true;
    for (const call_status of ["trying", "ringing", "in-progress"]) {
      await postHook(node.app, "/jambonz/status", { ...hookBase(SID, TAG), call_status });
    }
    await waitFor(() => edge.failures >= 2);
    edge.down = false;
    await node.outbox.drain();

    expect(edge.requests.map((request) => request.path.replace(TAG.call_id, "{id}"))).toEqual([
      "/internal/v1/calls/{id}/events",
      "/internal/v1/calls/{id}/events/batch",
    ]);
    expect(edge.events.map((event) => event.type === "status" && event.status)).toEqual([
      "calling",
      "ringing",
      "in_progress",
    ]);
  });

  it("sends a refused batch again one report at a time", async () => {
    edge.down = true;
    edge.refuseBatches = true;
    for (const call_status of ["trying", "ringing", "in-progress"]) {
      await postHook(node.app, "/jambonz/status", { ...hookBase(SID, TAG), call_status });
    }
    await waitFor(() => edge.failures >= 2);
    edge.down = false;
    await node.outbox.drain();

    expect(edge.requests.map((request) => request.path.endsWith("/events"))).toEqual([true, true, true]);
    expect(edge.events.map((event) => event.type === "status" && event.status)).toEqual([
      "calling",
      "ringing",
      "in_progress",
    ]);
  });

  it("replays what a previous process left unsent, and only that", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "media-node-outbox-")), "outbox.jsonl");
    const delivery = (id: string) => ({
      id,
      lane: TAG.call_id,
      method: "POST",
      path: `/internal/v1/calls/${TAG.call_id}/events`,
      contentType: "application/json",
      body: JSON.stringify({
        type: "status",
        status: "completed",
        idempotency_key: id,
        occurred_at: new Date().toISOString(),
        attempt: 1,
        jambonz_call_sid: SID,
      }),
    });
    writeFileSync(
      file,
      [
        { op: "add", delivery: delivery("sent-before-crash") },
        { op: "done", id: "sent-before-crash" },
        { op: "add", delivery: delivery("never-sent") },
      ]
        .map((line) => `${JSON.stringify(line)}\n`)
        .join("") + '{"op":"add","deliv', // a torn last line
    );

    const outbox = new Outbox({
      file,
      client: new EdgeClient({ edgeUrl: edge.url, secret: SECRET }),
      baseDelayMs: 5,
      log: () => {},
    });
    expect(outbox.start()).toBe(1);
    await outbox.drain();

    expect(edge.events.map((event) => event.idempotency_key)).toEqual(["never-sent"]);
    expect(readFileSync(file, "utf8")).toBe("");
  });
});

function rawConfig(edgeUrl: string) {
  return { EDGE_URL: edgeUrl, INTERNAL_API_SECRET: SECRET, PUBLIC_URL, JAMBONZ_WEBHOOK_SECRET: WEBHOOK_SECRET };
}

async function listen(app: Hono): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        server: server as Server,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** Polls a condition (no timing assertions: only how long we are willing to wait). */
async function waitFor(condition: () => boolean, attempts = 200): Promise<void> {
  for (let attempt = 0; attempt < attempts && !condition(); attempt++) await new Promise((r) => setTimeout(r, 10));
}
