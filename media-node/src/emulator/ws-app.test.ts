import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEndpoint, type Session } from "@jambonz/sdk/websocket";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_DEFAULTS } from "./config.js";
import { startEmulatorServer } from "./emulator.js";
import { eventually } from "./fake-app.js";
import { callbackPayloadProblems, verbArrayProblems } from "./jambonz-schemas.js";
import { numberFor } from "./personas.js";

/**
 * The emulator's WebSocket API against a jambonz app built on @jambonz/sdk's own WebSocket endpoint, so the
 * messages it sends and the acks it reads are the ones the maintained SDK speaks.
 */

const { accountSid: ACCOUNT_SID, apiKey: API_KEY } = EMULATOR_DEFAULTS;
const AUTH = { username: "jambonz", password: "ws-secret" };

type AppCall = { session: Session; statuses: Array<Record<string, unknown>>; hooks: Array<Record<string, unknown>> };

let emulator: Awaited<ReturnType<typeof startEmulatorServer>>;
let appServer: Server;
let appUrl: string;
const appCalls = new Map<string, AppCall>();
const refusedUpgrades: string[] = [];

beforeAll(async () => {
  // Compiling jambonz's schemas takes a while on a busy machine; at 200× a call would not wait for it.
  verbArrayProblems([{ verb: "say", text: "warm up" }]);
  callbackPayloadProblems("call-status", {});
  appServer = createServer();
  const quiet = { info: () => {}, error: () => {}, debug: () => {} };
  const makeService = createEndpoint({
    server: appServer,
    logger: quiet,
    middlewares: [
      (request, _response, next) => {
        const expected = `Basic ${Buffer.from(`${AUTH.username}:${AUTH.password}`).toString("base64")}`;
        if (request.headers.authorization === expected) next();
        else {
          refusedUpgrades.push(String(request.headers.authorization));
          next(new Error("unauthorized"));
        }
      },
    ],
  });
  makeService({ path: "/app" }).on("session:new", (session: Session) => {
    const call: AppCall = { session, statuses: [], hooks: [] };
    appCalls.set(session.callSid, call);
    session.on("call:status", (data: Record<string, unknown>) => call.statuses.push(data));
    session.on("/echo", (data: Record<string, unknown>) => {
      call.hooks.push(data);
      const speech = data.speech as { alternatives: Array<{ transcript: string }> } | undefined;
      session
        .say({ text: `heard ${speech?.alternatives[0]?.transcript ?? "nothing"}` })
        .hangup()
        .reply();
    });
    session
      .say({ text: "Bonjour" })
      .gather({ input: ["speech"], actionHook: "/echo", timeout: 5 })
      .send();
  });
  await new Promise<void>((resolve) => appServer.listen(0, "127.0.0.1", () => resolve()));
  appUrl = `ws://127.0.0.1:${(appServer.address() as AddressInfo).port}/app`;
  emulator = await startEmulatorServer({ port: 0, speed: 200, log: () => {} });
});

afterAll(async () => {
  await emulator.close();
  appServer.closeAllConnections();
  await new Promise<void>((resolve) => appServer.close(() => resolve()));
});

async function placeCall(callHook: unknown, number = numberFor("interested")): Promise<string> {
  const response = await fetch(`${emulator.url}/v1/Accounts/${ACCOUNT_SID}/Calls`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({
      from: "+33900000001",
      to: { type: "phone", number },
      call_hook: callHook,
      tag: { call_id: "ws-call", attempt: 1 },
    }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { sid: string }).sid;
}

function emulated(sid: string) {
  const call = emulator.emulator.calls.get(sid);
  if (!call) throw new Error(`no call ${sid}`);
  return call;
}

describe("jambonz emulator: WebSocket API", () => {
  it("runs a call over an @jambonz/sdk app: session:new, verb:hook by name, call:status", async () => {
    const sid = await placeCall({ url: appUrl, username: AUTH.username, password: AUTH.password });
    await eventually(
      () => emulated(sid).ended && appCalls.get(sid)?.statuses.some((s) => s.call_status === "completed"),
    );
    const call = emulated(sid);
    expect(call.history.errors).toEqual([]);
    expect(call.history.heard).toEqual(["Bonjour", "heard Oui, bonjour."]);
    expect(call.history.verbs.map((verb) => verb.verb)).toEqual(["say", "gather", "say", "hangup"]);

    const app = appCalls.get(sid);
    expect(callbackPayloadProblems("session-new", app?.session.data ?? {})).toEqual([]);
    expect(app?.session.data.customerData).toEqual({ call_id: "ws-call", attempt: 1 });
    expect(app?.hooks).toHaveLength(1);
    expect(callbackPayloadProblems("gather", app?.hooks[0] ?? {})).toEqual([]);
    // Statuses before the answer come before session:new, which the SDK ignores; the end carries 200 OK.
    expect(app?.statuses.at(-1)).toMatchObject({ call_status: "completed", sip_status: 200, sip_reason: "OK" });
  });

  it("sends the credentials of the URL's userinfo as basic auth", async () => {
    const withUserinfo = appUrl.replace("ws://", `ws://${AUTH.username}:${AUTH.password}@`);
    const sid = await placeCall(withUserinfo);
    await eventually(() => emulated(sid).ended);
    expect(emulated(sid).history.errors).toEqual([]);
    expect(emulated(sid).history.heard).toHaveLength(2);
  });

  it("ends a call whose app refuses the socket, without a word heard", async () => {
    const before = refusedUpgrades.length;
    const sid = await placeCall({ url: appUrl, username: AUTH.username, password: "wrong" });
    await eventually(() => emulated(sid).ended);
    expect(refusedUpgrades.length).toBeGreaterThan(before);
    expect(emulated(sid).history.heard).toEqual([]);
    expect(emulated(sid).history.errors.join("\n")).toMatch(/ws:\/\/127\.0\.0\.1:\d+\/app/);
    expect(emulated(sid).history.errors.join("\n")).not.toContain("wrong");
  });
});

describe("jambonz emulator: final reasons", () => {
  it("never reports ringing after the answer, and ends an answered call with 200 OK", async () => {
    const sid = await placeCall({ url: appUrl, username: AUTH.username, password: AUTH.password });
    await eventually(() => emulated(sid).ended);
    const statuses = emulated(sid).history.statuses.map((status) => `${status.call_status} ${status.sip_status}`);
    expect(statuses).toEqual(["trying 100", "ringing 180", "in-progress 200", "completed 200"]);
    expect(emulated(sid).callInfo()).toMatchObject({ sip_status: 200, sip_reason: "OK" });
  });
});
