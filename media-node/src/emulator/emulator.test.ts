import { JambonzClient } from "@jambonz/sdk/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readEmulatorEnv } from "./config.js";
import type { Emulator } from "./emulator.js";
import { startEmulatorServer } from "./emulator.js";
import { eventually, FakeJambonzApp, type ReceivedHook } from "./fake-app.js";
import { callbackPayloadProblems, verbArrayProblems } from "./jambonz-schemas.js";
import { numberFor, type PersonaName, personaForNumber } from "./personas.js";
import { isValidWebhookSignature, signWebhookBody } from "./signature.js";

const ACCOUNT_SID = "test-account-sid";
const API_KEY = "test-api-key";
const SECRET = "wh_secret_test";
/** Fast enough that a 15 s gather timeout is 75 ms. */
const SPEED = 200;
const FINAL_STATUSES = ["completed", "busy", "no-answer", "failed"];

let app: FakeJambonzApp;
let emulator: Emulator;
let emulatorUrl: string;
let closeEmulator: () => Promise<void>;

beforeAll(async () => {
  app = new FakeJambonzApp(SECRET);
  await app.start();
  const running = await startEmulatorServer({
    port: 0,
    accountSid: ACCOUNT_SID,
    apiKey: API_KEY,
    webhookSecret: SECRET,
    speed: SPEED,
    log: () => {},
  });
  emulator = running.emulator;
  emulatorUrl = running.url;
  closeEmulator = running.close;
});

afterAll(async () => {
  await closeEmulator();
  await app.stop();
});

afterEach(() => {
  app.respond = () => undefined;
  app.closeAudioAfterFrames = undefined;
});

function rest(method: string, path: string, body?: unknown, apiKey = API_KEY): Promise<Response> {
  return fetch(`${emulatorUrl}/v1/Accounts/${ACCOUNT_SID}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function placeCall(number: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await rest("POST", "/Calls", {
    from: "+33900000001",
    to: { type: "phone", number },
    call_hook: { url: `${app.url}/call`, method: "POST" },
    call_status_hook: `${app.url}/status`,
    tag: { call_id: `call-${number}`, attempt: 1 },
    ...extra,
  });
  expect(response.status).toBe(201);
  const { sid } = (await response.json()) as { sid: string };
  return sid;
}

/** Waits until the app has received the call's final status webhook. */
async function finalStatus(sid: string, timeoutMs?: number): Promise<ReceivedHook> {
  return eventually(() => {
    const statuses = app.hooksFor(sid, "/status");
    const last = statuses.at(-1);
    return last && FINAL_STATUSES.includes(String(last.payload.call_status)) ? last : undefined;
  }, timeoutMs);
}

function statusSequence(sid: string): string[] {
  return app.hooksFor(sid, "/status").map((hook) => String(hook.payload.call_status));
}

function callRecord(sid: string) {
  const call = emulator.calls.get(sid);
  if (!call) throw new Error(`no call ${sid}`);
  return call;
}

const hangupAfterGreeting = () => [{ verb: "say", text: "Bonjour" }, { verb: "hangup" }];

describe("jambonz emulator: REST API", () => {
  it("rejects a wrong api key with 401", async () => {
    const response = await rest("POST", "/Calls", {}, "wrong-key");
    expect(response.status).toBe(401);
    expect((await rest("GET", "/Calls/whatever", undefined, "wrong-key")).status).toBe(401);
  });

  it("rejects invalid create requests with jambonz's 400 {msg}", async () => {
    const missingHook = await rest("POST", "/Calls", { from: "+1", to: { type: "phone", number: "+33600000008" } });
    expect(missingHook.status).toBe(400);
    expect(((await missingHook.json()) as { msg: string }).msg).toMatch(/call_hook/);
    const relativeHook = await rest("POST", "/Calls", {
      from: "+1",
      to: { type: "phone", number: "+33600000008" },
      call_hook: "/relative",
    });
    expect(relativeHook.status).toBe(400);
    const badAmd = await rest("POST", "/Calls", {
      from: "+1",
      to: { type: "phone", number: "+33600000008" },
      call_hook: `${app.url}/call`,
      amd: { thresholdWordCount: 5 },
    });
    expect(badAmd.status).toBe(400);
  });

  it("creates, retrieves and hangs up a call; a finished call is gone from the REST API", async () => {
    app.respond = (path) => (path === "/call" ? [{ verb: "pause", length: 600 }] : undefined);
    const sid = await placeCall(numberFor("interested"));

    await eventually(() => app.hooksFor(sid, "/call").length === 1);
    const retrieved = await rest("GET", `/Calls/${sid}`);
    expect(retrieved.status).toBe(200);
    expect(await retrieved.json()).toMatchObject({
      call_sid: sid,
      account_sid: ACCOUNT_SID,
      direction: "outbound",
      to: numberFor("interested"),
      call_status: "in-progress",
      sip_status: 200,
      customerData: { call_id: `call-${numberFor("interested")}`, attempt: 1 },
    });

    expect((await rest("PUT", `/Calls/${sid}`, { call_status: "bogus" })).status).toBe(400);
    expect((await rest("PUT", `/Calls/${sid}`, { call_status: "completed" })).status).toBe(202);
    const final = await finalStatus(sid);
    expect(final.payload).toMatchObject({ call_status: "completed", call_termination_by: "jambonz" });
    expect(typeof final.payload.duration).toBe("number");
    expect((await rest("GET", `/Calls/${sid}`)).status).toBe(404);
    expect((await rest("PUT", `/Calls/${sid}`, { call_status: "completed" })).status).toBe(404);
  });

  it("serves @jambonz/sdk's REST client", async () => {
    app.respond = (path) => (path === "/call" ? [{ verb: "pause", length: 600 }] : undefined);
    const client = new JambonzClient({ baseUrl: emulatorUrl, accountSid: ACCOUNT_SID, apiKey: API_KEY });
    const sid = await client.calls.create({
      from: "+33900000001",
      to: { type: "phone", number: numberFor("interested") },
      call_hook: `${app.url}/call`,
      call_status_hook: `${app.url}/status`,
    });
    await eventually(() => app.hooksFor(sid, "/call").length === 1);
    expect(await client.calls.get(sid)).toMatchObject({ call_sid: sid, call_status: "in-progress" });
    expect(((await client.calls.count()) as { outbound: number }).outbound).toBeGreaterThanOrEqual(1);

    await client.calls.update(sid, { call_status: "completed" });

    expect((await finalStatus(sid)).payload.call_status).toBe("completed");
    await expect(client.calls.get(sid)).rejects.toThrow(/404/);
  });

  it("cancels a ringing call as no-answer", async () => {
    const sid = await placeCall(numberFor("no_answer"));
    await eventually(() => statusSequence(sid).includes("ringing"));
    expect((await rest("PUT", `/Calls/${sid}`, { call_status: "completed" })).status).toBe(202);
    expect((await finalStatus(sid)).payload).toMatchObject({ call_status: "no-answer", sip_status: 487 });
    expect(app.hooksFor(sid, "/call")).toHaveLength(0);
  });

  it("redirects a live call to a new call_hook", async () => {
    app.respond = (path) => {
      if (path === "/call") return [{ verb: "pause", length: 600 }];
      if (path === "/redirected") return [{ verb: "say", text: "Nouvelle application" }, { verb: "hangup" }];
      return undefined;
    };
    const sid = await placeCall(numberFor("interested"));
    await eventually(() => app.hooksFor(sid, "/call").length === 1);

    expect((await rest("PUT", `/Calls/${sid}`, { call_hook: `${app.url}/redirected` })).status).toBe(202);

    await finalStatus(sid);
    expect(app.hooksFor(sid, "/redirected")).toHaveLength(1);
    expect(callRecord(sid).history.heard).toEqual(["Nouvelle application"]);
  });
});

describe("jambonz emulator: personas", () => {
  const expectedSequences: Array<[PersonaName, string[]]> = [
    ["interested", ["trying", "ringing", "in-progress", "completed"]],
    ["not_interested", ["trying", "ringing", "in-progress", "completed"]],
    ["callback", ["trying", "ringing", "in-progress", "completed"]],
    ["voicemail", ["trying", "ringing", "in-progress", "completed"]],
    ["silent", ["trying", "ringing", "in-progress", "completed"]],
    ["wrong_number", ["trying", "ringing", "in-progress", "completed"]],
    ["busy", ["trying", "ringing", "busy"]],
    ["no_answer", ["trying", "ringing", "no-answer"]],
    ["failed", ["trying", "ringing", "failed"]],
  ];

  it.each(expectedSequences)("%s: status webhooks %j, valid, signed, carrying the tag", async (persona, expected) => {
    app.respond = (path) => (path === "/call" ? hangupAfterGreeting() : undefined);
    const number = numberFor(persona);
    const sid = await placeCall(number);

    await finalStatus(sid);

    expect(statusSequence(sid)).toEqual(expected);
    const statusHooks = app.hooksFor(sid, "/status");
    for (const hook of statusHooks) {
      expect(hook.signatureValid).toBe(true);
      expect(hook.sdkSignatureValid).toBe(true);
      expect(callbackPayloadProblems("call-status", hook.payload)).toEqual([]);
      expect(hook.payload).toMatchObject({
        call_sid: sid,
        account_sid: ACCOUNT_SID,
        direction: "outbound",
        from: "+33900000001",
        to: number,
        customerData: { call_id: `call-${number}`, attempt: 1 },
      });
      expect(typeof hook.payload.call_id).toBe("string");
      expect(typeof hook.payload.sip_status).toBe("number");
    }
    const final = statusHooks.at(-1)?.payload;
    expect(typeof final?.duration).toBe("number");
    const answered = expected.includes("in-progress");
    expect(app.hooksFor(sid, "/call")).toHaveLength(answered ? 1 : 0);
    if (answered) {
      expect(final).toMatchObject({ call_termination_by: "jambonz", sip_status: 200, sip_reason: "OK" });
      expect(callbackPayloadProblems("session-new", app.hooksFor(sid, "/call")[0]?.payload ?? {})).toEqual([]);
      expect(callRecord(sid).history.heard).toEqual(["Bonjour"]);
    }
    expect(callRecord(sid).history.errors).toEqual([]);
  });

  it("maps the seeded demo contacts to a useful mix", () => {
    const personas = ["+33612345678", "+33623456789", "+33634567890", "+33645678901", "+33656789012"].map(
      (phone) => personaForNumber(phone).name,
    );
    expect(personas).toEqual(["interested", "not_interested", "callback", "voicemail", "no_answer"]);
  });
});

describe("jambonz emulator: gather", () => {
  const askTwice = () => [
    { verb: "config", recognizer: { vendor: "google", language: "fr-FR" } },
    {
      verb: "gather",
      input: ["speech"],
      actionHook: "/gather",
      timeout: 8,
      say: { text: "Bonjour, avez-vous une minute ?" },
    },
  ];

  async function conversation(persona: PersonaName): Promise<{ sid: string; gathers: ReceivedHook[] }> {
    let turns = 0;
    app.respond = (path) => {
      if (path === "/call") return askTwice();
      if (path === "/gather") {
        turns += 1;
        if (turns < 2)
          return [{ verb: "gather", input: ["speech"], actionHook: "/gather", say: { text: "Et ensuite ?" } }];
        return [{ verb: "say", text: "Au revoir" }, { verb: "hangup" }];
      }
      return undefined;
    };
    const sid = await placeCall(numberFor(persona));
    await finalStatus(sid);
    const gathers = app.hooksFor(sid, "/gather");
    for (const hook of gathers) {
      expect(hook.signatureValid).toBe(true);
      expect(callbackPayloadProblems("gather", hook.payload)).toEqual([]);
    }
    expect(callRecord(sid).history.errors).toEqual([]);
    return { sid, gathers };
  }

  function transcripts(gathers: ReceivedHook[]): string[] {
    return gathers.map((hook) => {
      const speech = hook.payload.speech as { alternatives: Array<{ transcript: string; confidence: number }> };
      expect(hook.payload.reason).toBe("speechDetected");
      expect(speech.alternatives[0]?.confidence).toBeGreaterThan(0);
      return speech.alternatives[0]?.transcript ?? "";
    });
  }

  it("an interested lead says yes", async () => {
    const { sid, gathers } = await conversation("interested");
    expect(transcripts(gathers)).toEqual(["Oui, bonjour.", "Oui, tout à fait, ça m'intéresse."]);
    expect(gathers[0]?.payload.speech).toMatchObject({ language_code: "fr-FR", is_final: true });
    expect(callRecord(sid).history.heard).toEqual(["Bonjour, avez-vous une minute ?", "Et ensuite ?", "Au revoir"]);
    expect(callRecord(sid).history.utterances).toHaveLength(2);
  });

  it("a not-interested contact declines", async () => {
    const { gathers } = await conversation("not_interested");
    expect(transcripts(gathers).every((text) => text.includes("ne m'intéresse pas"))).toBe(true);
  });

  it("a callback contact asks to be called later, talking over prompts that allow barge-in", async () => {
    app.respond = (path) =>
      path === "/call"
        ? [{ verb: "gather", input: ["speech"], bargein: true, actionHook: "/gather", say: { text: "Bonjour !" } }]
        : [{ verb: "hangup" }];
    const sid = await placeCall(numberFor("callback"));
    await finalStatus(sid);
    expect(transcripts(app.hooksFor(sid, "/gather"))[0]).toMatch(/Rappelez-moi plus tard/);
    expect(callRecord(sid).history.heard).toEqual(["Bonjour ! [interrupted]"]);
  });

  it("sends the recogniser's interim result to a partialResultHook before the final transcript", async () => {
    app.respond = (path) =>
      path === "/call"
        ? [{ verb: "gather", input: ["speech"], actionHook: "/gather", partialResultHook: "/partial" }]
        : path === "/gather"
          ? [{ verb: "hangup" }]
          : undefined;
    const sid = await placeCall(numberFor("interested"));
    await finalStatus(sid);
    const [partial] = app.hooksFor(sid, "/partial");
    const [gather] = app.hooksFor(sid, "/gather");
    expect(partial?.signatureValid).toBe(true);
    expect(callbackPayloadProblems("gather-partial", partial?.payload ?? {})).toEqual([]);
    expect(partial?.payload.speech).toMatchObject({ is_final: false, alternatives: [{ transcript: "Oui," }] });
    expect(transcripts(gather ? [gather] : [])).toEqual(["Oui, bonjour."]);
    expect(app.hooks.indexOf(partial as ReceivedHook)).toBeLessThan(app.hooks.indexOf(gather as ReceivedHook));
    expect(callRecord(sid).history.errors).toEqual([]);
  });

  it("a silent contact lets every gather time out", async () => {
    const { gathers } = await conversation("silent");
    expect(gathers.map((hook) => hook.payload.reason)).toEqual(["timeout", "timeout"]);
  });

  it("a wrong number says so, then hangs up by itself", async () => {
    app.respond = (path) =>
      path === "/call" || path === "/gather"
        ? [{ verb: "gather", input: ["speech"], actionHook: "/gather" }]
        : undefined;
    const sid = await placeCall(numberFor("wrong_number"));
    const final = await finalStatus(sid);
    expect(transcripts(app.hooksFor(sid, "/gather").slice(0, 2))).toEqual([
      "Vous faites erreur, il n'y a personne de ce nom ici.",
      "Au revoir.",
    ]);
    expect(final.payload.call_termination_by).toBe("caller");
  });

  it("answers a digits-only gather with DTMF", async () => {
    app.respond = (path) =>
      path === "/call"
        ? [{ verb: "gather", input: ["digits"], numDigits: 1, actionHook: "/gather" }]
        : [{ verb: "hangup" }];
    const sid = await placeCall(numberFor("interested"));
    await finalStatus(sid);
    expect(app.hooksFor(sid, "/gather")[0]?.payload).toMatchObject({ reason: "dtmfDetected", digits: "1" });
  });
});

describe("jambonz emulator: audio, transfer, AMD, inbound", () => {
  it("streams L16 audio to a listen WebSocket: subprotocol, metadata, then binary frames", async () => {
    app.closeAudioAfterFrames = 5;
    app.respond = (path) =>
      path === "/call"
        ? [
            {
              verb: "listen",
              url: `${app.url.replace("http", "ws")}/audio`,
              sampleRate: 16000,
              mixType: "mono",
              metadata: { switchboard_call_id: "c-42" },
              actionHook: "/listen-done",
            },
            { verb: "hangup" },
          ]
        : undefined;
    const sid = await placeCall(numberFor("interested"));
    await finalStatus(sid);

    const fork = app.audio.find((audio) => audio.metadata?.callSid === sid);
    expect(fork?.protocol).toBe("audio.jambonz.org");
    expect(fork?.metadata).toMatchObject({
      sampleRate: 16000,
      mixType: "mono",
      callSid: sid,
      switchboard_call_id: "c-42",
      customerData: { attempt: 1 },
    });
    expect(fork?.frames).toHaveLength(5);
    // 20 ms of 16-bit mono at 16 kHz, and not silence.
    expect(fork?.frames[0]?.length).toBe(640);
    expect(fork?.frames[0]?.some((byte) => byte !== 0)).toBe(true);
    expect(app.hooksFor(sid, "/listen-done")).toHaveLength(1);
    expect(callRecord(sid).snapshot().audio_streams).toEqual([
      { url: `${app.url.replace("http", "ws")}/audio`, frames_sent: 5 },
    ]);
  });

  it("keeps a background config.listen fork open until the call ends", async () => {
    app.respond = (path) =>
      path === "/call"
        ? [
            {
              verb: "config",
              listen: { enable: true, url: `${app.url.replace("http", "ws")}/audio`, sampleRate: 8000 },
            },
            { verb: "pause", length: 10 },
            { verb: "hangup" },
          ]
        : undefined;
    const sid = await placeCall(numberFor("interested"));
    await finalStatus(sid);
    const fork = await eventually(() => app.audio.find((audio) => audio.metadata?.callSid === sid));
    await eventually(() => fork.socket.readyState === fork.socket.CLOSED);
    expect(fork.frames[0]?.length).toBe(320);
  });

  it("records a sip:refer transfer and ends the call", async () => {
    app.respond = (path) =>
      path === "/call" ? [{ verb: "sip:refer", referTo: "+33187654321", actionHook: "/refer" }] : undefined;
    const sid = await placeCall(numberFor("interested"));
    const final = await finalStatus(sid);
    expect(final.payload.call_status).toBe("completed");
    expect(callRecord(sid).history.transfer_target).toBe("+33187654321");
    expect(callbackPayloadProblems("sip-refer", app.hooksFor(sid, "/refer")[0]?.payload ?? {})).toEqual([]);
  });

  it("reports a machine over AMD and lets the AMD hook take over the call", async () => {
    app.respond = (path, payload) => {
      if (path === "/call") return [{ verb: "pause", length: 120 }];
      if (path === "/amd" && payload.type === "amd_machine_stopped_speaking") {
        return [{ verb: "say", text: "Message après le bip" }, { verb: "hangup" }];
      }
      return undefined;
    };
    const sid = await placeCall(numberFor("voicemail"), { amd: { actionHook: `${app.url}/amd` } });
    await finalStatus(sid);
    const amdHooks = app.hooksFor(sid, "/amd");
    expect(amdHooks.map((hook) => hook.payload.type)).toEqual([
      "amd_machine_detected",
      "amd_tone_detected",
      "amd_machine_stopped_speaking",
    ]);
    for (const hook of amdHooks) {
      expect(hook.signatureValid).toBe(true);
      expect(callbackPayloadProblems("amd", hook.payload)).toEqual([]);
      expect(hook.payload.customerData).toMatchObject({ attempt: 1 });
    }
    expect(amdHooks[0]?.payload).toMatchObject({ reason: "long greeting" });
    expect(callRecord(sid).history.heard).toEqual(["Message après le bip"]);
  });

  it("reports a human over AMD, and no speech for a silent contact", async () => {
    app.respond = (path) => (path === "/call" ? [{ verb: "pause", length: 8 }, { verb: "hangup" }] : undefined);
    const human = await placeCall(numberFor("interested"), { amd: { actionHook: `${app.url}/amd` } });
    const silent = await placeCall(numberFor("silent"), { amd: { actionHook: "/amd" } });
    await finalStatus(human);
    await finalStatus(silent);
    expect(app.hooksFor(human, "/amd").map((hook) => hook.payload.type)).toEqual(["amd_human_detected"]);
    expect(app.hooksFor(silent, "/amd").map((hook) => hook.payload.type)).toEqual(["amd_no_speech_detected"]);
  });

  it("starts an inbound call on a hook: direction inbound, no customerData", async () => {
    app.respond = (path) => (path === "/inbound" ? hangupAfterGreeting() : undefined);
    const response = await fetch(`${emulatorUrl}/emulator/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        from: "+33611111118",
        to: "+33900000001",
        call_hook: `${app.url}/inbound`,
        call_status_hook: `${app.url}/status`,
      }),
    });
    expect(response.status).toBe(201);
    const { sid } = (await response.json()) as { sid: string };
    await finalStatus(sid);
    const [newSession] = app.hooksFor(sid, "/inbound");
    expect(newSession?.payload).toMatchObject({ direction: "inbound", from: "+33611111118", to: "+33900000001" });
    expect(newSession?.payload).not.toHaveProperty("customerData");
    expect(statusSequence(sid)).toEqual(["trying", "in-progress", "completed"]);
    const snapshot = (await (await fetch(`${emulatorUrl}/emulator/calls/${sid}`)).json()) as Record<string, unknown>;
    expect(snapshot).toMatchObject({ direction: "inbound", persona: "interested", heard: ["Bonjour"], errors: [] });
  });
});

describe("jambonz emulator: validation", () => {
  it("rejects an invalid verb array, records why and ends the call", async () => {
    app.respond = (path) => (path === "/call" ? [{ verb: "say", text: 42 }, { verb: "not-a-verb" }] : undefined);
    const sid = await placeCall(numberFor("interested"));
    const final = await finalStatus(sid);
    expect(final.payload).toMatchObject({ call_status: "completed", call_termination_by: "jambonz" });
    const errors = callRecord(sid).history.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/invalid verbs.*verb 0.*say.*verb 1: invalid instruction: not-a-verb/);
    expect(callRecord(sid).history.heard).toEqual([]);
  });

  it("records a call_hook that answers with an error status", async () => {
    app.respond = () => {
      throw new Error("boom");
    };
    const sid = await placeCall(numberFor("interested"));
    await finalStatus(sid);
    expect(callRecord(sid).history.errors.join()).toMatch(/HTTP 500/);
  });

  it("knows valid from invalid payloads and verbs", () => {
    expect(callbackPayloadProblems("amd", { call_sid: "x" })).not.toEqual([]);
    expect(callbackPayloadProblems("call-status", { call_sid: "x", call_status: "answered" })).not.toEqual([]);
    expect(callbackPayloadProblems("gather", { call_sid: "x", reason: "speechDetected" })).toEqual([]);
    expect(verbArrayProblems([{ verb: "pause" }])).not.toEqual([]);
    expect(verbArrayProblems({ verb: "hangup" })).not.toEqual([]);
    expect(verbArrayProblems([{ verb: "sip:refer", referTo: "+33100000000" }, { verb: "hangup" }])).toEqual([]);
  });

  it("signs like jambonz, and the signature breaks when the body changes", () => {
    const body = JSON.stringify({ call_sid: "abc" });
    const header = signWebhookBody(SECRET, body, 1_700_000_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(isValidWebhookSignature(SECRET, header, body, 1_700_000_000_000)).toBe(true);
    expect(isValidWebhookSignature(SECRET, header, `${body} `, 1_700_000_000_000)).toBe(false);
    expect(isValidWebhookSignature("other", header, body, 1_700_000_000_000)).toBe(false);
  });

  it("reads its configuration with documented defaults", () => {
    expect(readEmulatorEnv({})).toMatchObject({
      EMULATOR_PORT: 8792,
      EMULATOR_API_KEY: "emulator-api-key",
      EMULATOR_WEBHOOK_SECRET: "wh_secret_emulator",
      EMULATOR_SPEED: 1,
    });
    expect(readEmulatorEnv({ EMULATOR_SPEED: "50" }).EMULATOR_SPEED).toBe(50);
    expect(() => readEmulatorEnv({ EMULATOR_SPEED: "-1" })).toThrow(/EMULATOR_SPEED/);
  });
});

describe("jambonz emulator: load", () => {
  it("runs 200 concurrent calls to completion", async () => {
    app.respond = (path) => {
      if (path === "/call") {
        return [
          { verb: "say", text: "Bonjour, avez-vous une minute ?" },
          { verb: "gather", input: ["speech"], actionHook: "/gather", timeout: 5 },
        ];
      }
      if (path === "/gather") return [{ verb: "say", text: "Merci, au revoir." }, { verb: "hangup" }];
      return undefined;
    };
    const personas: PersonaName[] = ["interested", "not_interested", "callback", "silent", "busy", "failed"];
    const sids = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        placeCall(
          `+3361${String(index).padStart(6, "0")}${numberFor(personas[index % personas.length] ?? "interested").at(-1)}`,
        ),
      ),
    );

    const finals = await Promise.all(sids.map((sid) => finalStatus(sid, 25_000)));

    expect(finals).toHaveLength(200);
    expect(new Set(sids).size).toBe(200);
    for (const sid of sids) expect(callRecord(sid).history.errors).toEqual([]);
    const answered = finals.filter((hook) => hook.payload.call_status === "completed");
    expect(answered.length).toBeGreaterThan(100);
  });
});
