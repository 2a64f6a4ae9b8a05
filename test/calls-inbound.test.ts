import { createHmac, randomInt } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { numberFor } from "../media-node/src/emulator/personas.js";
import { pollUntil } from "./support/calls.js";
import { useDatabase } from "./support/database.js";

/**
 * Calls that arrive (emulator → media node → edge) and hooks that do not come from jambonz.
 * The seeded demo org answers +33900000001 with the agent scenario_test_demo.
 */

const database = useDatabase();
const DEMO_AGENT_NUMBER = "+33900000001";

type EmulatedCall = { call_sid: string; ended: boolean; heard: string[]; verbs: Array<{ verb: string }> };

async function callIn(from: string, to: string): Promise<string> {
  const mediaNode = inject("mediaNodeUrl");
  const response = await fetch(`${inject("emulatorUrl")}/emulator/inbound`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      from,
      to,
      call_hook: `${mediaNode}/jambonz/call`,
      call_status_hook: `${mediaNode}/jambonz/status`,
    }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { sid: string }).sid;
}

async function emulatedCall(sid: string): Promise<EmulatedCall> {
  const response = await fetch(`${inject("emulatorUrl")}/emulator/calls/${sid}`);
  return (await response.json()) as EmulatedCall;
}

async function waitForEnd(sid: string): Promise<EmulatedCall> {
  return pollUntil(
    () => emulatedCall(sid),
    (call) => call.ended,
    30_000,
  );
}

/** A caller number no other test uses, reaching the given persona. */
const callerNumber = (persona: Parameters<typeof numberFor>[0]) =>
  numberFor(persona, `+3378${String(randomInt(1_000_000)).padStart(6, "0")}`);

describe("an inbound call", () => {
  it("to an agent's number is answered by the agent, and recorded with its transcript", async () => {
    const from = callerNumber("interested");
    const sid = await callIn(from, DEMO_AGENT_NUMBER);
    const heard = await waitForEnd(sid);
    expect(heard.ended).toBe(true);
    expect(heard.heard.length).toBeGreaterThanOrEqual(2);

    const call = await pollUntil(
      async () => {
        const { rows } = await database().query<{
          id: string;
          status: string;
          agent: string;
          to_number: string;
          turns: number;
          contact_turns: number;
        }>(
          `select c.id, c.status, a.slug as agent, c.to_number,
                  (select count(*)::int from call_turns t where t.call_id = c.id) as turns,
                  (select count(*)::int from call_turns t where t.call_id = c.id and t.speaker = 'contact') as contact_turns
           from calls c join agents a on a.id = c.agent_id
           where c.direction = 'inbound' and c.from_number = $1 and c.jambonz_call_sid = $2`,
          [from, sid],
        );
        return rows[0];
      },
      (row) => row?.status === "completed" && row.turns >= 2,
      15_000,
    );
    expect(call).toMatchObject({ status: "completed", agent: "scenario_test_demo", to_number: DEMO_AGENT_NUMBER });
    expect(call?.turns).toBeGreaterThanOrEqual(2);
    expect(call?.contact_turns).toBeGreaterThanOrEqual(1);
    const { rows: org } = await database().query<{ slug: string }>(
      "select o.slug from calls c join organisations o on o.id = c.org_id where c.id = $1",
      [call?.id],
    );
    expect(org[0]?.slug).toBe("demo");
  }, 60_000);

  it("to a number nobody owns hears that it is not in service, and is hung up", async () => {
    const from = callerNumber("interested");
    const sid = await callIn(from, "+33900009999");
    const heard = await waitForEnd(sid);
    expect(heard.ended).toBe(true);
    expect(heard.heard).toEqual(["The number you have dialled is not in service. Goodbye."]);
    expect(heard.verbs.map((verb) => verb.verb)).toEqual(["say", "hangup"]);
    const { rows } = await database().query("select id from calls where jambonz_call_sid = $1", [sid]);
    expect(rows).toEqual([]);
  }, 60_000);
});

describe("a jambonz webhook", () => {
  const statusHook = () => `${inject("mediaNodeUrl")}/jambonz/status`;
  const body = JSON.stringify({ call_sid: "forged-call", call_status: "completed", direction: "outbound" });

  it("without a Jambonz-Signature is refused with 401", async () => {
    const response = await fetch(statusHook(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(401);
  });

  it("with a signature made with the wrong secret is refused with 403", async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const forged = createHmac("sha256", "not-the-webhook-secret").update(`${timestamp}.${body}`).digest("hex");
    const response = await fetch(statusHook(), {
      method: "POST",
      headers: { "content-type": "application/json", "jambonz-signature": `t=${timestamp},v1=${forged}` },
      body,
    });
    expect(response.status).toBe(403);
  });
});
