import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startEmulatorServer } from "../media-node/src/emulator/emulator.js";
import { numberFor } from "../media-node/src/emulator/personas.js";
import { mediaNodeProcess, TEST_EMULATOR_SPEED } from "./support/call-stack.js";
import { useDatabase } from "./support/database.js";
import { freePort } from "./support/ports.js";
import { startThrowawayEdge } from "./support/throwaway-edge.js";

/**
 * The media node crashes in the middle of a campaign and comes back on the same port and outbox file
 * (issue 4). This file runs its own chain, so the shared one is never interrupted: a second worker whose
 * MEDIA_NODE_URL is a media node this file crashes and restarts, and its own jambonz emulator, which keeps
 * running meanwhile (its hooks to the dead node fail, and jambonz ends those calls, as the real one does).
 */

const database = useDatabase();
const stops: Array<() => Promise<void>> = [];
const CONTACTS = 10;
const ACTIVE = ["pending", "scheduled", "calling", "ringing", "in_progress"];

let edgeUrl = "";
let emulatorUrl = "";
let node: ReturnType<typeof mediaNodeProcess>;

beforeAll(async () => {
  const emulator = await startEmulatorServer({ speed: TEST_EMULATOR_SPEED, log: () => {} });
  stops.push(emulator.close);
  emulatorUrl = emulator.url;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "switchboard-media-node-"));
  stops.push(async () => rmSync(dir, { recursive: true, force: true }));
  edgeUrl = await startThrowawayEdge({
    databaseUrl: inject("databaseUrl"),
    apiPassword: inject("apiPassword"),
    internalApiSecret: inject("internalApiSecret"),
    mediaNodeUrl: `http://127.0.0.1:${port}`,
    environment: "test",
    stops,
  });
  node = mediaNodeProcess({
    port,
    edgeUrl,
    internalApiSecret: inject("internalApiSecret"),
    jambonzApiUrl: emulator.url,
    outboxFile: join(dir, "outbox.jsonl"),
    log: () => {},
  });
  stops.push(() => node.crash());
  await node.start();
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${edgeUrl}${path}`, {
    method,
    headers: { "x-api-key": inject("apiPassword"), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Ten demo contacts whose numbers reach the emulator's interested persona. */
async function interestedContacts(): Promise<{ numbers: number[]; phones: string[] }> {
  const run = String(Math.floor(Math.random() * 10_000)).padStart(4, "0");
  const phones = Array.from({ length: CONTACTS }, (_, index) =>
    numberFor("interested", `+3361${run}${String(index).padStart(2, "0")}`),
  );
  const { rows } = await database().query<{ number: string }>(
    `insert into contacts (org_id, phone, first_name)
     select o.id, p.phone, 'Restart' from organisations o, unnest($1::text[]) as p(phone) where o.slug = 'demo'
     returning number::text`,
    [phones],
  );
  return { numbers: rows.map((row) => Number(row.number)), phones };
}

type CallRow = { phone: string; status: string; attempts: number; hangup_cause: string | null };

async function callsOf(campaign: number): Promise<CallRow[]> {
  const { rows } = await database().query<CallRow>(
    `select ct.phone, c.status, c.attempts, c.hangup_cause
     from calls c join campaigns k on k.id = c.campaign_id join contacts ct on ct.id = c.contact_id
     where k.number = $1 order by ct.phone`,
    [campaign],
  );
  return rows;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe("a media node crash in the middle of a campaign", () => {
  it("loses no call and dials none twice", async () => {
    const { numbers, phones } = await interestedContacts();
    const created = await api("POST", "/api/campaigns/", {
      name: "Restart",
      contact_ids: numbers,
      scenario: "scenario_test_demo",
      max_concurrent_calls: 3,
      retry_enabled: false,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const campaign = (created.body as { id: number }).id;
    expect((await api("POST", `/api/campaigns/${campaign}/start`)).status).toBe(200);

    // Crash once calls are on the line, with most of the campaign still to dial.
    await waitUntil(
      "two calls are in progress",
      async () => (await callsOf(campaign)).filter((call) => call.status === "in_progress").length >= 2,
      30_000,
    );
    await node.crash();
    // Long enough for the emulator's next hooks to find nobody (its calls end) and for the dialer to be
    // refused (those calls wait REFUSAL_RETRY_DELAY_SECONDS and are dialled again with the same attempt).
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    await node.start();

    await waitUntil(
      "the campaign completes",
      async () => ((await api("GET", `/api/campaigns/${campaign}`)).body as { status: string }).status === "completed",
      150_000,
    );

    const calls = await callsOf(campaign);
    expect(calls).toHaveLength(CONTACTS);
    const stuck = calls.filter((call) => ACTIVE.includes(call.status));
    expect(stuck, "calls left without a final status").toEqual([]);
    expect(calls.map((call) => call.attempts)).toEqual(calls.map(() => 1));

    const dialled = (await (await fetch(`${emulatorUrl}/emulator/calls`)).json()) as Array<{
      to: string;
      errors: string[];
    }>;
    console.log(
      `calls-restart: recovered ${await node.recovered}; emulator errors: ${JSON.stringify(dialled.flatMap((call) => call.errors))}`,
    );
    const dialsPerPhone = Object.fromEntries(phones.map((phone) => [phone, 0]));
    for (const call of dialled)
      if (call.to in dialsPerPhone) dialsPerPhone[call.to] = (dialsPerPhone[call.to] ?? 0) + 1;
    expect(dialsPerPhone).toEqual(Object.fromEntries(phones.map((phone) => [phone, 1])));

    console.log(
      `calls-restart: ${calls.map((call) => `${call.phone.slice(-3)} ${call.status}${call.hangup_cause ? ` (${call.hangup_cause})` : ""}`).join(", ")}`,
    );
  }, 200_000);
});
