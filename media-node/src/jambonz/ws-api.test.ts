import type { WsMessage, WsResponse } from "@jambonz/sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { HookPayload } from "../calls/registry.js";
import { amdWaitVerbs, partialReplyVerbs, replyVerbs, type Verbs } from "../calls/verbs.js";
import { readMediaNodeEnv } from "../env.js";
import { createMediaNode, type MediaNode } from "../server.js";
import { agentReply, FakeEdge } from "../testing/fake-edge.js";
import { hookBase } from "../testing/jambonz-hooks.js";
import {
  answerMessage,
  type ConversationHooks,
  JAMBONZ_WS_SUBPROTOCOL,
  upgradeRefusal,
  WS_API_PATH,
  type WsApiServer,
  wsApplicationUrl,
  wsHookUrls,
} from "./ws-api.js";

const CREDENTIALS = { username: "jambonz", password: "ws-password-for-tests-0123" };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

type Step = { method: string; payload: HookPayload; afterAmdWait?: boolean };

/** A conversation that records what it was asked and answers one verb naming the step. */
function recordingConversation(delays: Partial<Record<string, number>> = {}) {
  const steps: Step[] = [];
  const answerWith = async (method: string, payload: HookPayload, afterAmdWait?: boolean): Promise<Verbs> => {
    steps.push({ method, payload, ...(afterAmdWait === undefined ? {} : { afterAmdWait }) });
    await new Promise((resolve) => setTimeout(resolve, delays[method] ?? 0));
    return [{ verb: "say", text: method }];
  };
  const conversation: ConversationHooks = {
    answer: (payload, options) => answerWith("answer", payload, options?.afterAmdWait ?? false),
    gather: (payload) => answerWith("gather", payload),
    amd: (payload) => answerWith("amd", payload),
    continue: (payload) => answerWith("continue", payload),
    status: (payload) => {
      steps.push({ method: "status", payload });
    },
    partial: (payload) => {
      steps.push({ method: "partial", payload });
    },
  };
  return { conversation, steps };
}

const message = (type: string, data: Record<string, unknown>, hook?: string): WsMessage =>
  ({ type, msgid: `msg-${type}-${hook ?? ""}`, call_sid: "sid-1", ...(hook ? { hook } : {}), data }) as WsMessage;

describe("WebSocket API message translation", () => {
  const payload = hookBase("sid-1", null, "inbound");

  it("answers session:new with the call hook's verbs, acked with its msgid", async () => {
    const { conversation, steps } = recordingConversation();
    const response = await answerMessage(conversation, message("session:new", payload), () => {});
    expect(steps).toEqual([{ method: "answer", payload, afterAmdWait: false }]);
    expect(response).toEqual({ type: "ack", msgid: "msg-session:new-", data: [{ verb: "say", text: "answer" }] });
  });

  it("routes verb:hook by hook name, the AMD wait's redirect included", async () => {
    const { conversation, steps } = recordingConversation();
    const log: string[] = [];
    for (const hook of ["/gather", "/amd", "/call?after=amd-wait", "/continue", "/partial", "/nobody"]) {
      const response = await answerMessage(conversation, message("verb:hook", payload, hook), (line) => log.push(line));
      expect(response?.msgid).toBe(`msg-verb:hook-${hook}`);
      // jambonz ignores a partial result hook's answer: the ack carries no verbs.
      if (hook === "/nobody" || hook === "/partial")
        expect(response).toEqual({ type: "ack", msgid: `msg-verb:hook-${hook}` });
    }
    expect(steps.map((step) => [step.method, step.afterAmdWait])).toEqual([
      ["gather", undefined],
      ["amd", undefined],
      ["answer", true],
      ["continue", undefined],
      ["partial", undefined],
    ]);
    expect(log).toEqual(['no hook named "/nobody"; acked without verbs']);
  });

  it("passes call:status on without an ack, and acks a reconnect without verbs", async () => {
    const { conversation, steps } = recordingConversation();
    const status = { ...payload, call_status: "completed" };
    expect(await answerMessage(conversation, message("call:status", status), () => {})).toBeNull();
    expect(steps).toEqual([{ method: "status", payload: status }]);
    expect(await answerMessage(conversation, message("session:reconnect", payload), () => {})).toEqual({
      type: "ack",
      msgid: "msg-session:reconnect-",
    });
    expect(await answerMessage(conversation, message("verb:status", payload), () => {})).toBeNull();
  });

  it("names in the verbs exactly the hooks it routes", async () => {
    const urls = wsHookUrls((callId) => `ws://media.test/jambonz/listen/${callId}`);
    const gather = replyVerbs(agentReply(), urls).find((verb) => verb.verb === "gather");
    const redirect = amdWaitVerbs(urls).find((verb) => verb.verb === "redirect");
    const rest = partialReplyVerbs("Hello.", agentReply().speech, String(urls.continue)).find(
      (verb) => verb.verb === "redirect",
    );
    const { conversation, steps } = recordingConversation();
    for (const hook of [gather?.actionHook, redirect?.actionHook, rest?.actionHook, gather?.partialResultHook]) {
      await answerMessage(conversation, message("verb:hook", payload, String(hook)), () => {});
    }
    expect(steps.map((step) => [step.method, step.afterAmdWait])).toEqual([
      ["gather", undefined],
      ["answer", true],
      ["continue", undefined],
      ["partial", undefined],
    ]);
  });

  it("puts the credentials in the application URL as basic auth", () => {
    const url = new URL(wsApplicationUrl("wss://media.example.com/", CREDENTIALS));
    expect(url.toString()).toBe(`wss://jambonz:${CREDENTIALS.password}@media.example.com${WS_API_PATH}`);
  });

  it("admits only upgrades with the subprotocol and the right credentials", () => {
    const good = {
      "sec-websocket-protocol": JAMBONZ_WS_SUBPROTOCOL,
      authorization: basic("jambonz", CREDENTIALS.password),
    };
    expect(upgradeRefusal(good, CREDENTIALS)).toBeNull();
    expect(upgradeRefusal({ ...good, "sec-websocket-protocol": "audio.jambonz.org" }, CREDENTIALS)?.status).toBe(400);
    expect(upgradeRefusal({ authorization: good.authorization }, CREDENTIALS)?.status).toBe(400);
    expect(upgradeRefusal({ ...good, authorization: basic("jambonz", "wrong") }, CREDENTIALS)?.status).toBe(401);
    expect(upgradeRefusal({ "sec-websocket-protocol": JAMBONZ_WS_SUBPROTOCOL }, CREDENTIALS)?.status).toBe(401);
  });
});

/** A jambonz-like client: sends messages, collects whatever the node sends back. */
async function connect(port: number, options: { protocol?: string; auth?: string } = {}) {
  const socket = new WebSocket(
    `ws://127.0.0.1:${port}${WS_API_PATH}`,
    options.protocol === undefined ? [JAMBONZ_WS_SUBPROTOCOL] : options.protocol ? [options.protocol] : [],
    { headers: { authorization: options.auth ?? basic(CREDENTIALS.username, CREDENTIALS.password) } },
  );
  const received: WsResponse[] = [];
  socket.on("message", (raw) => received.push(JSON.parse(String(raw)) as WsResponse));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return { socket, received };
}

function refusalOf(port: number, protocols: string[], auth?: string): Promise<number | string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${WS_API_PATH}`, protocols, {
      ...(auth ? { headers: { authorization: auth } } : {}),
    });
    socket.once("open", () => {
      socket.close();
      resolve("opened");
    });
    socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
    socket.once("error", (error) => resolve(error.message));
  });
}

async function until<T>(read: () => T | undefined, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the media node's WebSocket API", () => {
  let edge: FakeEdge;
  let node: MediaNode;
  let server: WsApiServer;

  beforeEach(async () => {
    edge = await new FakeEdge("internal-secret-for-media-node-tests").start();
    node = createMediaNode({
      config: readMediaNodeEnv({
        EDGE_URL: edge.url,
        INTERNAL_API_SECRET: "internal-secret-for-media-node-tests",
        JAMBONZ_WS_PASSWORD: CREDENTIALS.password,
      }),
      outboxFile: null,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      placeCall: async () => "unused",
      log: () => {},
    });
    node.outbox.start();
    const started = await node.startWebSocketApi({ port: 0 });
    if (!started) throw new Error("the WebSocket API should be on with a password");
    server = started;
  });

  afterEach(async () => {
    await server.close();
    node.outbox.stop();
    await edge.stop();
  });

  it("is off without a password", async () => {
    const off = createMediaNode({ config: readMediaNodeEnv({}), outboxFile: null, log: () => {} });
    expect(await off.startWebSocketApi({ port: 0 })).toBeNull();
    expect(() => readMediaNodeEnv({ JAMBONZ_HOOK_TRANSPORT: "websocket" })).toThrow(/JAMBONZ_WS_PASSWORD/);
    expect(() => readMediaNodeEnv({ JAMBONZ_WS_PASSWORD: "has:a-colon-in-it-0123" })).toThrow();
  });

  it("refuses upgrades without the subprotocol or the right credentials", async () => {
    const good = basic(CREDENTIALS.username, CREDENTIALS.password);
    expect(await refusalOf(server.port, ["audio.jambonz.org"], good)).toBe(400);
    expect(await refusalOf(server.port, [], good)).toBe(400);
    expect(await refusalOf(server.port, [JAMBONZ_WS_SUBPROTOCOL])).toBe(401);
    expect(await refusalOf(server.port, [JAMBONZ_WS_SUBPROTOCOL], basic("jambonz", "not-the-password"))).toBe(401);
    expect(await refusalOf(server.port, [JAMBONZ_WS_SUBPROTOCOL], good)).toBe("opened");
  });

  it("runs an inbound call: greeting, a reply heard, the end reported to the edge", async () => {
    edge.inboundOwner = {
      call_id: "0b8f5a4e-2a43-4f7e-9d6e-5a1f3c2b7e10",
      org_id: "6f1d2c3b-4a59-4e6d-8f70-112233445566",
    };
    edge.turnReplies = [agentReply(), agentReply({ say: "Goodbye.", action: "hangup", step: "end" })];
    const jambonz = await connect(server.port);
    const base = { ...hookBase("sid-ws-1", null, "inbound"), call_status: "trying" };
    jambonz.socket.send(JSON.stringify({ type: "session:new", msgid: "m1", call_sid: "sid-ws-1", data: base }));
    const greeting = await until(() => jambonz.received.find((response) => response.msgid === "m1"));
    const greetingVerbs = greeting.data as Array<Record<string, unknown>>;
    expect(greetingVerbs.map((verb) => verb.verb)).toEqual(["tag", "config", "config", "gather"]);
    const gather = greetingVerbs.find((verb) => verb.verb === "gather");
    expect(gather?.actionHook).toBe("/gather");
    const tag = (greetingVerbs[0] as { data: Record<string, unknown> }).data;

    const speech = {
      reason: "speechDetected",
      speech: { alternatives: [{ transcript: "Yes please", confidence: 0.9 }] },
    };
    jambonz.socket.send(
      JSON.stringify({
        type: "verb:hook",
        msgid: "m2",
        call_sid: "sid-ws-1",
        hook: gather?.actionHook,
        data: { ...base, call_status: "in-progress", customerData: tag, ...speech },
      }),
    );
    const reply = await until(() => jambonz.received.find((response) => response.msgid === "m2"));
    expect((reply.data as Array<{ verb: string }>).map((verb) => verb.verb)).toEqual(["config", "say", "hangup"]);

    jambonz.socket.send(
      JSON.stringify({
        type: "call:status",
        msgid: "m3",
        call_sid: "sid-ws-1",
        data: { ...base, customerData: tag, call_status: "completed", duration: 12 },
      }),
    );
    const events = await until(() => {
      const reported = edge.events;
      return reported.some((event) => event.type === "status" && event.status === "completed") ? reported : undefined;
    });
    expect(
      events.filter((event) => event.type === "turn").map((event) => event.type === "turn" && event.speaker),
    ).toEqual(["agent", "contact", "agent"]);
    expect(jambonz.received.map((response) => response.msgid)).toEqual(["m1", "m2"]);
    jambonz.socket.close();
  });

  it("acks overlapping hooks each with its own msgid", async () => {
    const tag = {
      call_id: "0b8f5a4e-2a43-4f7e-9d6e-5a1f3c2b7e10",
      org_id: "6f1d2c3b-4a59-4e6d-8f70-112233445566",
      attempt: 1,
      amd: true,
    };
    node.registry.remember(tag, "sid-ws-2");
    edge.turnReplies = [agentReply({ say: "Please leave a message.", action: "hangup" })];
    const jambonz = await connect(server.port);
    const base = hookBase("sid-ws-2", tag);
    const send = (msgid: string, hook: string, data: Record<string, unknown>) =>
      jambonz.socket.send(
        JSON.stringify({ type: "verb:hook", msgid, call_sid: "sid-ws-2", hook, data: { ...base, ...data } }),
      );
    send("machine", "/amd", { type: "amd_machine_detected" });
    send("beep", "/amd", { type: "amd_tone_detected" });
    send("stopped", "/amd", { type: "amd_machine_stopped_speaking" });
    await until(() => (jambonz.received.length === 3 ? true : undefined));
    const byId = Object.fromEntries(jambonz.received.map((response) => [response.msgid, response.data]));
    expect(byId.machine).toEqual([]);
    expect(byId.stopped).toEqual([]);
    expect((byId.beep as Array<{ verb: string }>).map((verb) => verb.verb)).toEqual(["config", "say", "hangup"]);
    jambonz.socket.close();
  });
});
