import { randomBytes, randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { numberFor } from "../media-node/src/emulator/personas.js";
import { JAMBONZ_WS_SUBPROTOCOL, WS_API_PATH } from "../media-node/src/jambonz/ws-api.js";
import { startOwnCallChain } from "./support/call-stack.js";
import { callsOfCampaign, createPersonaContacts, pollUntil } from "./support/calls.js";
import { useDatabase } from "./support/database.js";

/**
 * Calls driven over jambonz's WebSocket API (ws.jambonz.org) instead of webhooks: the emulator opens one socket
 * per call to the media node's WebSocket API, sends session:new, verb:hook and call:status, and plays the verbs
 * the acks carry. This file runs its own chain (emulator, a media node whose outbound hooks are its WebSocket
 * API, and a worker that dials that node), so the shared one keeps its webhooks.
 */

const database = useDatabase();
const stops: Array<() => Promise<void>> = [];
const WS_PASSWORD = randomBytes(18)
  .toString("base64url")
  .replace(/[^A-Za-z0-9]/g, "x");
const DEMO_AGENT_NUMBER = "+33900000001";

let edgeUrl = "";
let emulatorUrl = "";
let wsAppUrl = "";

beforeAll(async () => {
  const chain = await startOwnCallChain({
    databaseUrl: inject("databaseUrl"),
    apiPassword: inject("apiPassword"),
    internalApiSecret: inject("internalApiSecret"),
    stops,
    node: { outboxFile: null, log: () => {}, websocket: { password: WS_PASSWORD, hookTransport: "websocket" } },
  });
  edgeUrl = chain.edgeUrl;
  emulatorUrl = chain.emulatorUrl;
  wsAppUrl = `${chain.node.wsUrl}${WS_API_PATH}`;
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

type EmulatedCall = {
  call_sid: string;
  to: string;
  call_status: string;
  ended: boolean;
  heard: string[];
  utterances: string[];
  verbs: Array<{ verb: string; actionHook?: unknown }>;
  errors: string[];
};

async function emulatedCalls(): Promise<EmulatedCall[]> {
  return (await (await fetch(`${emulatorUrl}/emulator/calls`)).json()) as EmulatedCall[];
}

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(`${edgeUrl}${path}`, {
    method,
    headers: { "x-api-key": inject("apiPassword"), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = response.headers.get("content-type")?.includes("application/json");
  return { status: response.status, body: json ? JSON.parse(text) : null, text };
}

async function callIn(from: string, callHook: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${emulatorUrl}/emulator/inbound`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ from, to: DEMO_AGENT_NUMBER, call_hook: callHook }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { sid: string }).sid;
}

async function endOf(sid: string): Promise<EmulatedCall> {
  return pollUntil(
    async () => (await emulatedCalls()).find((call) => call.call_sid === sid) as EmulatedCall,
    (call) => call?.ended === true,
    30_000,
  );
}

const callerNumber = () => numberFor("interested", `+3379${String(randomInt(1_000_000)).padStart(6, "0")}`);

describe("a campaign dialled over the WebSocket API", () => {
  it("converses over the socket and ends with results, AMD verdicts and transcripts", async () => {
    const contacts = await createPersonaContacts(database(), "61", ["interested", "voicemail", "not_interested"]);
    const created = await api("POST", "/api/campaigns/", {
      name: "E2E WebSocket API",
      contact_ids: contacts.map((contact) => contact.number),
      scenario: "scenario_test_demo",
      max_concurrent_calls: 3,
      retry_enabled: false,
    });
    expect(created.status, created.text).toBe(201);
    const campaign = (created.body as { id: number }).id;
    expect((await api("POST", `/api/campaigns/${campaign}/start`)).status).toBe(200);

    const status = await pollUntil(
      async () => ((await api("GET", `/api/campaigns/${campaign}`)).body as { status: string }).status,
      (current) => current === "completed",
      60_000,
    );
    // On a failure, what the emulator saw of these calls says where they stopped.
    const dialled = (await emulatedCalls()).filter((call) => contacts.some((contact) => contact.phone === call.to));
    const seen = dialled.map(({ to, call_status, errors }) => ({ to, call_status, errors }));
    expect(status, JSON.stringify(seen)).toBe("completed");
    const calls = await callsOfCampaign(database(), campaign);
    const byPhone = Object.fromEntries(calls.map((call) => [call.phone, call]));
    const [interested, voicemail, declining] = contacts.map((contact) => byPhone[contact.phone]);
    expect(interested).toMatchObject({ status: "completed", result: "lead", amd_result: "human", attempts: 1 });
    expect(voicemail).toMatchObject({ result: "answering_machine", amd_result: "machine" });
    expect(declining).toMatchObject({ status: "completed", result: "not_interested" });
    for (const call of [interested, declining]) {
      expect(call?.turns).toBeGreaterThanOrEqual(2);
      expect(call?.contact_turns).toBeGreaterThanOrEqual(1);
      expect(call?.duration_ms).toBeGreaterThan(0);
    }

    const transcript = await api("GET", `/api/exports/transcript/${interested?.id}`);
    expect(transcript.text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Agent: .+/m);
    expect(transcript.text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Contact: .+/m);

    // The emulator really ran these calls over the socket: their hooks are names, not webhook URLs.
    expect(dialled).toHaveLength(3);
    for (const call of dialled) expect(call.errors, `emulator errors of ${call.to}`).toEqual([]);
    const lead = dialled.find((call) => call.to === contacts[0]?.phone);
    expect(lead?.verbs.find((verb) => verb.verb === "gather")?.actionHook).toBe("/gather");
    expect(lead?.utterances.length).toBeGreaterThanOrEqual(1);
  }, 90_000);
});

describe("an inbound call over the WebSocket API", () => {
  it("is answered by the agent and recorded with its transcript", async () => {
    const from = callerNumber();
    const sid = await callIn(from, { url: wsAppUrl, username: "jambonz", password: WS_PASSWORD });
    const heard = await endOf(sid);
    expect(heard.errors).toEqual([]);
    expect(heard.heard.length).toBeGreaterThanOrEqual(2);
    expect(heard.verbs.find((verb) => verb.verb === "gather")?.actionHook).toBe("/gather");

    const call = await pollUntil(
      async () => {
        const { rows } = await database().query<{ id: string; status: string; turns: number; contact_turns: number }>(
          `select c.id, c.status,
                  (select count(*)::int from call_turns t where t.call_id = c.id) as turns,
                  (select count(*)::int from call_turns t where t.call_id = c.id and t.speaker = 'contact') as contact_turns
           from calls c where c.direction = 'inbound' and c.from_number = $1 and c.jambonz_call_sid = $2`,
          [from, sid],
        );
        return rows[0];
      },
      (row) => row?.status === "completed" && row.turns >= 2,
      15_000,
    );
    expect(call).toMatchObject({ status: "completed" });
    expect(call?.contact_turns).toBeGreaterThanOrEqual(1);
    const transcript = await api("GET", `/api/exports/transcript/${call?.id}`);
    expect(transcript.text).toMatch(/Contact: .+/);
  }, 60_000);

  it("with the wrong credentials is refused, and no call is created", async () => {
    const from = callerNumber();
    const sid = await callIn(from, { url: wsAppUrl, username: "jambonz", password: "not-the-password-at-all" });
    const refused = await endOf(sid);
    expect(refused.errors.join("\n")).toMatch(/refused the WebSocket: HTTP 401/);
    expect(refused.call_status).toBe("failed");
    expect(refused.heard).toEqual([]);
    const { rows } = await database().query("select id from calls where jambonz_call_sid = $1", [sid]);
    expect(rows).toEqual([]);
  });
});

describe("the WebSocket API endpoint", () => {
  /** What the endpoint answers an upgrade: the HTTP status it refused with, or "opened". */
  function upgrade(protocols: string[], credentials?: string): Promise<number | string> {
    return new Promise((resolve) => {
      const socket = new WebSocket(wsAppUrl, protocols, {
        ...(credentials ? { headers: { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` } } : {}),
      });
      socket.once("open", () => {
        resolve(socket.protocol === JAMBONZ_WS_SUBPROTOCOL ? "opened" : `opened with ${socket.protocol}`);
        socket.close();
      });
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("error", (error) => resolve(error.message));
    });
  }

  it("refuses a connection without the ws.jambonz.org subprotocol or the right credentials", async () => {
    const good = `jambonz:${WS_PASSWORD}`;
    expect(await upgrade(["audio.jambonz.org"], good)).toBe(400);
    expect(await upgrade([], good)).toBe(400);
    expect(await upgrade([JAMBONZ_WS_SUBPROTOCOL])).toBe(401);
    expect(await upgrade([JAMBONZ_WS_SUBPROTOCOL], "jambonz:wrong-password")).toBe(401);
    expect(await upgrade([JAMBONZ_WS_SUBPROTOCOL], good)).toBe("opened");
  });
});
