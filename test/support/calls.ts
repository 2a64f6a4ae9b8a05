import { randomInt } from "node:crypto";
import type pg from "pg";
import { inject } from "vitest";
import { numberFor, type PersonaName } from "../../media-node/src/emulator/personas.js";
import { firstRow } from "./database.js";
import { rest } from "./http.js";

/** Helpers for end-to-end call tests: contacts that reach emulator personas, campaigns, and what they left. */

export const apiKey = () => ({ "x-api-key": inject("apiPassword") });

/**
 * Creates demo-org contacts whose numbers reach the given personas. Each file passes its own two-digit tag, and a
 * random run tag keeps the numbers apart from every other test's; the persona digit stays last.
 */
export async function createPersonaContacts(
  client: pg.Client,
  tag: string,
  personas: readonly PersonaName[],
): Promise<Array<{ number: number; phone: string; persona: PersonaName }>> {
  const { id: orgId } = await firstRow<{ id: string }>(client, "select id from organisations where slug = 'demo'");
  const run = String(randomInt(10_000)).padStart(4, "0");
  const created = [];
  for (const [index, persona] of personas.entries()) {
    const phone = numberFor(persona, `+337${tag}${run}${String(index).padStart(2, "0")}`);
    const row = await firstRow<{ number: string }>(
      client,
      "insert into contacts (org_id, phone, first_name, last_name) values ($1, $2, $3, $4) returning number::text",
      [orgId, phone, `E2E ${tag}`, `${persona} ${index}`],
    );
    created.push({ number: Number(row.number), phone, persona });
  }
  return created;
}

/** Creates a MiniBotPanel campaign over the contacts through REST; returns its number. */
export async function createCampaign(body: Record<string, unknown>): Promise<number> {
  const created = await rest("POST", "/api/campaigns/", {
    headers: apiKey(),
    body: { scenario: "scenario_test_demo", ...body },
  });
  if (created.status !== 201) throw new Error(`campaign not created: ${created.status} ${created.text}`);
  return (created.body as { id: number }).id;
}

export async function campaignAction(campaign: number, action: "start" | "pause" | "resume" | "stop") {
  return rest("POST", `/api/campaigns/${campaign}/${action}`, { headers: apiKey() });
}

/** Polls the campaign until it reaches `wanted` or the time is up; returns the last status seen. */
export async function waitForCampaignStatus(campaign: number, wanted: string, timeoutMs: number): Promise<string> {
  return pollUntil(
    async () => {
      const response = await rest("GET", `/api/campaigns/${campaign}`, { headers: apiKey() });
      return (response.body as { status: string }).status;
    },
    (status) => status === wanted,
    timeoutMs,
  );
}

/** Calls `read` every 250 ms until `done` holds or the time is up; returns the last value read. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(250);
    value = await read();
  }
  return value;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type CampaignCall = {
  id: string;
  phone: string;
  status: string;
  result: string | null;
  amd_result: string | null;
  duration_ms: number | null;
  attempts: number;
  max_attempts: number;
  recording_key: string | null;
  turns: number;
  contact_turns: number;
};

export async function callsOfCampaign(client: pg.Client, campaign: number): Promise<CampaignCall[]> {
  const { rows } = await client.query<CampaignCall>(
    `select c.id, ct.phone, c.status, c.result, c.amd_result, c.duration_ms, c.attempts, c.max_attempts,
            c.recording_key,
            (select count(*)::int from call_turns t where t.call_id = c.id) as turns,
            (select count(*)::int from call_turns t where t.call_id = c.id and t.speaker = 'contact') as contact_turns
     from calls c join campaigns k on k.id = c.campaign_id join contacts ct on ct.id = c.contact_id
     where k.number = $1 order by ct.phone`,
    [campaign],
  );
  return rows;
}

export type AttemptSpan = { call_id: string; attempt_number: number; started_at: Date; ended_at: Date | null };

export async function attemptsOfCampaign(client: pg.Client, campaign: number): Promise<AttemptSpan[]> {
  const { rows } = await client.query<AttemptSpan>(
    `select a.call_id, a.attempt_number, a.started_at, a.ended_at
     from call_attempts a join calls c on c.id = a.call_id join campaigns k on k.id = c.campaign_id
     where k.number = $1 order by a.started_at`,
    [campaign],
  );
  return rows;
}

/** The most attempts in flight at once: a sweep over starts (+1) and ends (−1); an open attempt never ends. */
export function maximumOverlap(spans: readonly AttemptSpan[]): number {
  const edges = spans.flatMap((span) => [
    { at: span.started_at.getTime(), delta: 1 },
    { at: span.ended_at?.getTime() ?? Number.POSITIVE_INFINITY, delta: -1 },
  ]);
  // At equal instants an end comes before a start: a line freed and reused in the same millisecond is one line.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let maximum = 0;
  for (const edge of edges) {
    current += edge.delta;
    maximum = Math.max(maximum, current);
  }
  return maximum;
}

/** Fetches a call's recording through the export API and says whether it is a RIFF/WAVE file. */
export async function recordingIsWav(callId: string): Promise<{ status: number; wav: boolean; bytes: number }> {
  const response = await fetch(`${inject("edgeUrl")}/api/exports/audio/${callId}`, { headers: apiKey() });
  const body = Buffer.from(await response.arrayBuffer());
  const wav = body.subarray(0, 4).toString("latin1") === "RIFF" && body.subarray(8, 12).toString("latin1") === "WAVE";
  return { status: response.status, wav, bytes: body.length };
}
