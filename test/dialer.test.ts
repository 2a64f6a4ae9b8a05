import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as schema from "@switchboard/schema";
import { type PlaceCallRequest, placeCallRequest, verifyInternalRequest } from "@switchboard/schema";
import { drizzle } from "drizzle-orm/node-postgres";
import { createClient } from "graphql-sse";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Database } from "../edge/src/db/client.js";
import { claimDueCalls, LOST_DIAL_CAUSE } from "../edge/src/dialer/claims.js";
import { signInternalRequest } from "../schema/src/internal-signature.js";
import { firstRow, useDatabase } from "./support/database.js";
import { CALL_UPDATED, globalId, listen } from "./support/subscriptions.js";
import { startThrowawayEdge } from "./support/throwaway-edge.js";

/**
 * The campaign dialer (issue 4 §2) on its own. This file runs a second worker whose MEDIA_NODE_URL is a
 * recorder in this process, so the test decides how each dial ends (by updating rows, as the events API
 * would) and what the "media node" answers, whatever the real media node and emulator do. The shared
 * worker's dialer never sees these campaigns: each worker has its own Durable Objects.
 */

const database = useDatabase();
const secret = randomBytes(36).toString("base64url");
const stops: Array<() => Promise<void>> = [];
let edgeUrl = "";
let recorder: Recorder;

type Received = { request: PlaceCallRequest; signed: boolean };

/** A stand-in for the media node's POST /internal/v1/calls: checks the signature, records, answers. */
class Recorder {
  readonly received: Received[] = [];
  /** Numbers the "media node" refuses, with the status it answers. */
  readonly refusals = new Map<string, number>();
  /** Numbers whose answer waits until the promise settles (a slow media node). */
  readonly holds = new Map<string, Promise<void>>();
  readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        void this.answer(req.method ?? "", req.url ?? "", req.headers, Buffer.concat(chunks).toString("utf8")).then(
          ({ status, body }) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
          },
        );
      });
    });
  }

  private async answer(method: string, path: string, headers: Record<string, unknown>, body: string) {
    if (method !== "POST" || path !== "/internal/v1/calls") return { status: 404, body: { error: "not found" } };
    const check = await verifyInternalRequest({
      secret,
      method,
      path,
      body,
      timestamp: headers["x-switchboard-timestamp"] as string | undefined,
      signature: headers["x-switchboard-signature"] as string | undefined,
    });
    const parsed = placeCallRequest.safeParse(JSON.parse(body));
    if (!parsed.success) return { status: 422, body: { error: "invalid PlaceCallRequest" } };
    this.received.push({ request: parsed.data, signed: check.ok });
    await this.holds.get(parsed.data.to);
    const refusal = this.refusals.get(parsed.data.to);
    if (refusal) return { status: refusal, body: { error: "refused" } };
    return {
      status: 202,
      body: { call_id: parsed.data.call_id, jambonz_call_sid: `sid-${parsed.data.call_id}-${parsed.data.attempt}` },
    };
  }

  forCampaign(campaignId: string): Received[] {
    return this.received.filter((entry) => entry.request.campaign_id === campaignId);
  }
}

beforeAll(async () => {
  recorder = new Recorder();
  await new Promise<void>((resolve) => recorder.server.listen(0, "127.0.0.1", resolve));
  stops.push(() => new Promise<void>((done) => recorder.server.close(() => done())));
  const { port } = recorder.server.address() as AddressInfo;
  edgeUrl = await startThrowawayEdge({
    databaseUrl: inject("databaseUrl"),
    apiPassword: inject("apiPassword"),
    internalApiSecret: secret,
    mediaNodeUrl: `http://127.0.0.1:${port}`,
    environment: "test",
    stops,
  });
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

// ── Fixtures and probes ──────────────────────────────────────────────────────────────────────────────

let phoneSequence = 0;

/** `count` fresh demo contacts with unique E.164 numbers; returns their MiniBotPanel numbers. */
async function demoContacts(count: number): Promise<number[]> {
  const prefix = randomBytes(2).readUInt16BE() % 1000;
  const phones = Array.from(
    { length: count },
    () => `+3369${String(prefix).padStart(3, "0")}${String(phoneSequence++).padStart(4, "0")}`,
  );
  const { rows } = await database().query<{ number: string }>(
    `insert into contacts (org_id, phone, first_name)
     select o.id, p.phone, 'Dialer test' from organisations o, unnest($1::text[]) with ordinality as p(phone, n)
     where o.slug = 'demo' order by p.n
     returning number`,
    [phones],
  );
  return rows.map((row) => Number(row.number));
}

type CampaignRef = { number: number; id: string };

async function createCampaign(contactIds: number[], pacing: { max_concurrent_calls: number; batch_size: number }) {
  const response = await api("POST", "/api/campaigns/", {
    name: "Dialer test",
    contact_ids: contactIds,
    scenario: "scenario_test_demo",
    ...pacing,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const number = (response.body as { id: number }).id;
  const row = await firstRow<{ id: string }>(database(), "select id from campaigns where number = $1", [number]);
  return { number, id: row.id } satisfies CampaignRef;
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${edgeUrl}${path}`, {
    method,
    headers: { "x-api-key": inject("apiPassword"), "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Whether this worker's hub has a subscriber to the campaign's calls (the stats route is signed). */
async function liveTopics(campaignId: string): Promise<boolean> {
  const { id: orgId } = await firstRow<{ id: string }>(database(), "select org_id as id from campaigns where id = $1", [
    campaignId,
  ]);
  const path = `/internal/v1/event-hubs/${orgId}/stats`;
  const headers = await signInternalRequest({ secret, method: "GET", path, body: "" });
  const response = await fetch(`${edgeUrl}${path}`, { headers });
  const stats = (await response.json()) as { topics: Record<string, number> };
  return (stats.topics[`calls:campaign:${campaignId}`] ?? 0) > 0;
}

async function act(campaign: CampaignRef, action: "start" | "pause" | "resume" | "stop"): Promise<void> {
  const response = await api("POST", `/api/campaigns/${campaign.number}/${action}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

type Counts = {
  active: number;
  pending: number;
  scheduled: number;
  completed: number;
  cancelled: number;
  failed: number;
};

async function callCounts(campaign: CampaignRef): Promise<Counts> {
  return firstRow<Counts>(
    database(),
    `select
       (count(*) filter (where status in ('calling', 'ringing', 'in_progress')))::int as active,
       (count(*) filter (where status = 'pending'))::int as pending,
       (count(*) filter (where status = 'scheduled'))::int as scheduled,
       (count(*) filter (where status = 'completed'))::int as completed,
       (count(*) filter (where status = 'cancelled'))::int as cancelled,
       (count(*) filter (where status = 'failed'))::int as failed
     from calls where campaign_id = $1`,
    [campaign.id],
  );
}

async function campaignStatus(campaign: CampaignRef): Promise<string> {
  const row = await firstRow<{ status: string }>(database(), "select status from campaigns where id = $1", [
    campaign.id,
  ]);
  return row.status;
}

/** What the events API does when a dial ends: the call is final. */
async function finishCalls(callIds: string[]): Promise<void> {
  await database().query(
    `update calls set status = 'completed', result = 'not_interested', ended_at = now(), updated_at = now()
     where id = any($1::uuid[]) and status in ('calling', 'ringing', 'in_progress')`,
    [callIds],
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value (not undefined); the deadline only bounds a broken run. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Longer than the dialer's alarm period, so a tick that could wrongly dial has had its chance. */
const AFTER_A_TICK_MS = 3_500;

// ── The dialer ────────────────────────────────────────────────────────────────────────────────────────

describe("CampaignDialer", () => {
  it("keeps at most max_concurrent_calls in flight, dials every call once, and completes the campaign", async () => {
    const campaign = await createCampaign(await demoContacts(10), { max_concurrent_calls: 3, batch_size: 2 });
    await act(campaign, "start");
    let maxActive = 0;
    const finished = new Set<string>();
    while (finished.size < 10) {
      // Wait until the dialer has filled every slot it may, and the media node has each of those dials.
      const inFlight = await eventually("the dialer to fill its slots", async () => {
        const counts = await callCounts(campaign);
        expect(counts.active).toBeLessThanOrEqual(3);
        maxActive = Math.max(maxActive, counts.active);
        const placed = recorder.forCampaign(campaign.id).map((entry) => entry.request.call_id);
        const open = placed.filter((id) => !finished.has(id));
        const expected = Math.min(3, 10 - finished.size);
        return counts.active === expected && open.length === expected ? open : undefined;
      });
      // End two of them (the oldest), as the media node's final events would.
      const ending = inFlight.slice(0, 2);
      for (const id of ending) finished.add(id);
      await finishCalls(ending);
    }
    await eventually("the campaign to complete", async () =>
      (await campaignStatus(campaign)) === "completed" ? true : undefined,
    );

    expect(maxActive).toBe(3);
    const received = recorder.forCampaign(campaign.id);
    expect(received).toHaveLength(10);
    expect(new Set(received.map((entry) => entry.request.call_id)).size).toBe(10);
    for (const { request, signed } of received) {
      expect(signed).toBe(true);
      expect(request).toMatchObject({ campaign_id: campaign.id, attempt: 1, amd: true });
    }
    const attempts = await database().query<{ call_id: string; attempt_number: number; jambonz_call_sid: string }>(
      `select a.call_id, a.attempt_number, a.jambonz_call_sid from call_attempts a
       join calls c on c.id = a.call_id where c.campaign_id = $1`,
      [campaign.id],
    );
    expect(attempts.rows).toHaveLength(10);
    for (const row of attempts.rows) {
      expect(row.attempt_number).toBe(1);
      expect(row.jambonz_call_sid).toBe(`sid-${row.call_id}-1`);
    }
    const done = await firstRow<{ completed_at: Date | null; attempts: number }>(
      database(),
      `select c.completed_at, (select sum(attempts)::int from calls where campaign_id = c.id) as attempts
       from campaigns c where c.id = $1`,
      [campaign.id],
    );
    expect(done.completed_at).not.toBeNull();
    expect(done.attempts).toBe(10);
  }, 90_000);

  it("starts nothing while paused, continues on resume, and stop cancels the rest", async () => {
    const campaign = await createCampaign(await demoContacts(6), { max_concurrent_calls: 2, batch_size: 2 });
    await act(campaign, "start");
    const firstWave = await eventually("two dials", async () => {
      const placed = recorder.forCampaign(campaign.id);
      return placed.length === 2 ? placed.map((entry) => entry.request.call_id) : undefined;
    });

    await act(campaign, "pause");
    await finishCalls(firstWave);
    await sleep(AFTER_A_TICK_MS);
    expect(recorder.forCampaign(campaign.id)).toHaveLength(2);
    expect(await callCounts(campaign)).toMatchObject({ active: 0, pending: 4, completed: 2 });
    expect(await campaignStatus(campaign)).toBe("paused");

    await act(campaign, "resume");
    const secondWave = await eventually("two more dials", async () => {
      const placed = recorder.forCampaign(campaign.id);
      return placed.length === 4 ? placed.slice(2).map((entry) => entry.request.call_id) : undefined;
    });
    expect(secondWave.filter((id) => firstWave.includes(id))).toEqual([]);

    await act(campaign, "stop");
    expect(await callCounts(campaign)).toMatchObject({ active: 2, pending: 0, cancelled: 2 });
    await finishCalls(secondWave);
    await sleep(AFTER_A_TICK_MS);
    expect(recorder.forCampaign(campaign.id)).toHaveLength(4);
    expect(await callCounts(campaign)).toMatchObject({ active: 0, completed: 4, cancelled: 2 });
    expect(await campaignStatus(campaign)).toBe("cancelled");
  }, 60_000);

  it("dials a retry only once its next_attempt_at has come", async () => {
    const campaign = await createCampaign(await demoContacts(1), { max_concurrent_calls: 3, batch_size: 2 });
    // As the events API leaves an unanswered first dial: scheduled for later, one attempt used.
    const due = await firstRow<{ id: string; next_attempt_at: Date }>(
      database(),
      `update calls set status = 'scheduled', attempts = 1, next_attempt_at = now() + interval '2 seconds'
       where campaign_id = $1 returning id, next_attempt_at`,
      [campaign.id],
    );
    await database().query(
      `insert into call_attempts (org_id, call_id, attempt_number, to_number, status, ended_at)
       select org_id, id, 1, to_number, 'no_answer', now() from calls where id = $1`,
      [due.id],
    );
    await act(campaign, "start");
    const [retry] = await eventually("the retry", async () => {
      const placed = recorder.forCampaign(campaign.id);
      return placed.length > 0 ? placed : undefined;
    });
    expect(retry?.request).toMatchObject({ call_id: due.id, attempt: 2 });
    const attempt = await firstRow<{ started_at: Date }>(
      database(),
      "select started_at from call_attempts where call_id = $1 and attempt_number = 2",
      [due.id],
    );
    expect(attempt.started_at.getTime()).toBeGreaterThanOrEqual(due.next_attempt_at.getTime());

    await finishCalls([due.id]);
    await eventually("the campaign to complete", async () =>
      (await campaignStatus(campaign)) === "completed" ? true : undefined,
    );
    expect(recorder.forCampaign(campaign.id)).toHaveLength(1);
  });

  it("puts a call the media node refuses back to wait, uncounted, and fails one it rejects", async () => {
    const campaign = await createCampaign(await demoContacts(2), { max_concurrent_calls: 3, batch_size: 2 });
    const phones = await database().query<{ id: string; to_number: string }>(
      "select id, to_number from calls where campaign_id = $1 order by number",
      [campaign.id],
    );
    const [refused, rejected] = phones.rows;
    if (!refused || !rejected) throw new Error("fixture: two calls expected");
    recorder.refusals.set(refused.to_number, 503);
    recorder.refusals.set(rejected.to_number, 422);
    // Live subscribers see each call go `calling`, then back to waiting or failed, once that has committed.
    const live = createClient({ url: `${edgeUrl}/graphql`, headers: { "x-api-key": inject("apiPassword") } });
    const updates = listen<{ callId: string; status: string }>(live, "callUpdated", CALL_UPDATED, {
      campaignId: globalId("Campaign", campaign.id),
    });
    await eventually("the subscription to start", async () => (await liveTopics(campaign.id)) || undefined);
    await act(campaign, "start");

    const rows = await eventually("both refusals handled", async () => {
      const { rows } = await database().query<{
        id: string;
        status: string;
        result: string | null;
        attempts: number;
        refusals: number;
        waits_s: number | null;
      }>(
        `select id, status, result, attempts, (metadata->>'dial_refusals')::int as refusals,
           extract(epoch from next_attempt_at - now())::float as waits_s
         from calls where campaign_id = $1`,
        [campaign.id],
      );
      return rows.every((row) => row.status === "scheduled" || row.status === "failed") ? rows : undefined;
    });
    const waiting = rows.find((row) => row.id === refused.id);
    expect(waiting).toMatchObject({ status: "scheduled", attempts: 0, refusals: 1 });
    expect(waiting?.waits_s).toBeGreaterThan(10);
    expect(rows.find((row) => row.id === rejected.id)).toMatchObject({
      status: "failed",
      result: "failed",
      attempts: 1,
    });

    const attempts = await database().query<{ call_id: string; status: string }>(
      "select call_id, status from call_attempts where call_id = any($1::uuid[])",
      [[refused.id, rejected.id]],
    );
    expect(attempts.rows).toEqual([{ call_id: rejected.id, status: "failed" }]);
    expect(await campaignStatus(campaign)).toBe("running");

    const statusesOf = (callId: string) =>
      updates.events.filter((event) => event.value.callId === globalId("Call", callId)).map((e) => e.value.status);
    await eventually("both refusals published", async () =>
      statusesOf(refused.id).length >= 2 && statusesOf(rejected.id).length >= 2 ? true : undefined,
    );
    expect(updates.errors).toEqual([]);
    expect(statusesOf(refused.id)).toEqual(["calling", "scheduled"]);
    expect(statusesOf(rejected.id)).toEqual(["calling", "failed"]);
    updates.stop();
    live.dispose();
    await act(campaign, "stop");
  });

  it("cancels a refused call instead of rescheduling it when the campaign was stopped meanwhile", async () => {
    const campaign = await createCampaign(await demoContacts(1), { max_concurrent_calls: 3, batch_size: 2 });
    const call = await firstRow<{ id: string; to_number: string }>(
      database(),
      "select id, to_number from calls where campaign_id = $1",
      [campaign.id],
    );
    let release = () => {};
    recorder.holds.set(call.to_number, new Promise<void>((resolve) => (release = resolve)));
    recorder.refusals.set(call.to_number, 503);
    await act(campaign, "start");
    await eventually("the dial to reach the media node", async () =>
      recorder.forCampaign(campaign.id).length === 1 ? true : undefined,
    );
    await act(campaign, "stop");
    release();
    const settled = await eventually("the refusal to be handled", async () => {
      const row = await firstRow<{ status: string; attempts: number; next_attempt_at: Date | null }>(
        database(),
        "select status, attempts, next_attempt_at from calls where id = $1",
        [call.id],
      );
      return row.status === "calling" ? undefined : row;
    });
    expect(settled).toEqual({ status: "cancelled", attempts: 0, next_attempt_at: null });
  });
  it("settles calls nobody reports on: an unacknowledged dial is dialled again as the same attempt, a silent one fails", async () => {
    const campaign = await createCampaign(await demoContacts(2), { max_concurrent_calls: 2, batch_size: 2 });
    await act(campaign, "start");
    const [silent, unacknowledged] = await eventually("both dials placed", async () => {
      const [first, second] = recorder.forCampaign(campaign.id).map((entry) => entry.request.call_id);
      return first && second ? [first, second] : undefined;
    });
    // Long ago, one rang and was never heard of again; the other's dial never reached the media node.
    await database().query(
      `update calls set status = 'ringing', updated_at = now() - interval '11 minutes' where id = $1`,
      [silent],
    );
    await database().query(
      `update calls set status = 'calling', jambonz_call_sid = null, updated_at = now() - interval '11 minutes'
       where id = $1`,
      [unacknowledged],
    );

    await eventually("the unacknowledged dial to be placed again", async () => {
      const dials = recorder.forCampaign(campaign.id).filter((entry) => entry.request.call_id === unacknowledged);
      return dials.length === 2 ? dials : undefined;
    });
    const redials = recorder.forCampaign(campaign.id).filter((entry) => entry.request.call_id === unacknowledged);
    expect(redials.map((entry) => entry.request.attempt)).toEqual([1, 1]);
    const lost = await firstRow<{ status: string; result: string; hangup_cause: string; attempt_status: string }>(
      database(),
      `select c.status, c.result, c.hangup_cause, a.status as attempt_status
       from calls c join call_attempts a on a.call_id = c.id and a.attempt_number = c.attempts where c.id = $1`,
      [silent],
    );
    expect(lost).toEqual({
      status: "failed",
      result: "failed",
      hangup_cause: LOST_DIAL_CAUSE,
      attempt_status: "failed",
    });

    await finishCalls([unacknowledged]);
    await eventually("the campaign to complete", async () =>
      (await campaignStatus(campaign)) === "completed" ? true : undefined,
    );
    expect(recorder.forCampaign(campaign.id)).toHaveLength(3);
  }, 60_000);
});

// ── The claim itself, raced ──────────────────────────────────────────────────────────────────────────

describe("claimDueCalls", () => {
  let pool: pg.Pool;
  let db: Database;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 8 });
    // The claim is plain SQL through drizzle; node-postgres stands in for the worker's Neon driver.
    db = drizzle(pool, { schema }) as unknown as Database;
  });
  afterAll(async () => {
    await pool.end();
  });

  it("never claims a call twice nor exceeds the limit when ticks race", async () => {
    const campaign = await createCampaign(await demoContacts(8), { max_concurrent_calls: 3, batch_size: 2 });
    // Running without a wake: no dialer touches it but the claims below.
    await database().query("update campaigns set status = 'running', started_at = now() where id = $1", [campaign.id]);

    const claimedIds: string[] = [];
    for (let round = 0; round < 6 && claimedIds.length < 8; round++) {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => claimDueCalls(db, campaign.id, { dialable: true })),
      );
      const round_ = results.flatMap((result) => (result.kind === "running" ? result.claimed : []));
      claimedIds.push(...round_.map((call) => call.id));
      const counts = await callCounts(campaign);
      expect(counts.active).toBeLessThanOrEqual(3);
      await finishCalls(round_.map((call) => call.id));
    }
    expect(claimedIds).toHaveLength(8);
    expect(new Set(claimedIds).size).toBe(8);
    const attempts = await firstRow<{ rows: number }>(
      database(),
      "select count(*)::int as rows from call_attempts a join calls c on c.id = a.call_id where c.campaign_id = $1",
      [campaign.id],
    );
    expect(attempts.rows).toBe(8);

    const last = await claimDueCalls(db, campaign.id, { dialable: true });
    const { org_id: orgId } = await firstRow<{ org_id: string }>(
      database(),
      "select org_id from campaigns where id = $1",
      [campaign.id],
    );
    // The organisation comes back so the dialer can announce the completion to its live subscribers.
    expect(last).toEqual({ kind: "idle", reason: "completed", orgId, webhookEvents: 0 });
    expect(await campaignStatus(campaign)).toBe("completed");
  });

  it("claims nothing for a paused campaign", async () => {
    const campaign = await createCampaign(await demoContacts(2), { max_concurrent_calls: 3, batch_size: 2 });
    await database().query("update campaigns set status = 'paused' where id = $1", [campaign.id]);
    expect(await claimDueCalls(db, campaign.id, { dialable: true })).toEqual({ kind: "idle", reason: "not_running" });
    expect(await callCounts(campaign)).toMatchObject({ pending: 2, active: 0 });
  });
});
