import { beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, createAgentRequest, createContactRequest, registerUser, successData } from "./support/accounts.js";
import { firstRow, useDatabase } from "./support/database.js";
import { type GraphqlResponse, graphql, type RestResponse, rest } from "./support/http.js";

/**
 * MiniBotPanel's statistics (shared/api-docs/minibotpanel.md "Statistics" and "Résumé campagne") and their
 * GraphQL twins. Campaigns and calls are inserted straight into the database with hand-computed expectations:
 * - "mixed": running for 2 h, 22 calls in every status;
 * - "empty": pending, no calls;
 * - "all failed": completed, 3 failed calls;
 * - "dated": completed, fixed dates across a UTC midnight, for the timeline and the summary;
 * - a second organisation with its own campaigns, for system statistics and isolation.
 */

type CallFixture = {
  status: string;
  result?: string;
  sentiment?: string;
  amd?: string;
  durationMs?: number;
  startedAt?: Date;
  createdAt?: Date;
};
type CampaignFixture = {
  name: string;
  status: string;
  agentSlug?: string;
  createdAt: Date;
  startedAt?: Date;
  completedAt?: Date;
};
type Inserted = { id: string; number: number };
type Org = { orgId: string; accountId: string; agentId: string };

const database = useDatabase();
const demoHeaders = () => ({ "x-api-key": inject("apiPassword") });
const now = Date.now();
const ago = (ms: number) => new Date(now - ms);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (iso: string) => new Date(iso);

const one = <T>(text: string, values: unknown[]) => firstRow<T>(database(), text, values);

async function orgRefs(orgId: string, agentSlug: string): Promise<Org> {
  const account = await one<{ id: string }>("select id from accounts where org_id = $1 and is_default", [orgId]);
  const agent = await one<{ id: string }>("select id from agents where org_id = $1 and slug = $2", [orgId, agentSlug]);
  return { orgId, accountId: account.id, agentId: agent.id };
}

async function insertCampaign(org: Org, campaign: CampaignFixture, calls: CallFixture[]): Promise<Inserted> {
  const agentId = campaign.agentSlug ? (await orgRefs(org.orgId, campaign.agentSlug)).agentId : org.agentId;
  const row = await one<{ id: string; number: string }>(
    `insert into campaigns (org_id, account_id, agent_id, source, name, status, created_at, started_at, completed_at)
     values ($1, $2, $3, 'minibotpanel', $4, $5, $6, $7, $8) returning id, number`,
    [
      org.orgId,
      org.accountId,
      agentId,
      campaign.name,
      campaign.status,
      campaign.createdAt,
      campaign.startedAt ?? null,
      campaign.completedAt ?? null,
    ],
  );
  const records = calls.map((call) => ({
    status: call.status,
    result: call.result ?? null,
    sentiment: call.sentiment ?? null,
    amd: call.amd ?? null,
    duration_ms: call.durationMs ?? null,
    started_at: call.startedAt?.toISOString() ?? null,
    created_at: call.createdAt?.toISOString() ?? null,
  }));
  await database().query(
    `insert into calls (org_id, campaign_id, agent_id, account_id, to_number, status, result, sentiment, amd_result,
                        duration_ms, started_at, created_at)
     select $1, $2, $3, $4, '+33600000000', r.status::call_status, r.result::call_result, r.sentiment::sentiment,
            r.amd::amd_result, r.duration_ms, r.started_at, coalesce(r.created_at, now())
     from jsonb_to_recordset($5::jsonb) as r(status text, result text, sentiment text, amd text, duration_ms int,
                                             started_at timestamptz, created_at timestamptz)`,
    [org.orgId, row.id, agentId, org.accountId, JSON.stringify(records)],
  );
  return { id: row.id, number: Number(row.number) };
}

const times = (count: number, call: CallFixture): CallFixture[] => Array.from({ length: count }, () => ({ ...call }));

// ---- fixtures ------------------------------------------------------------------------------------------

const mixedStart = ago(2 * HOUR);
const mixedCreated = ago(3 * HOUR);
const dialled = (minutes: number) => new Date(mixedStart.getTime() + minutes * MINUTE);

/** 22 calls: 8 completed (3 leads), 2 failed, 1 no answer, 1 busy, 1 cancelled, 4 on the line, 5 waiting. */
const mixedCalls: CallFixture[] = [
  { status: "completed", result: "lead", sentiment: "positive", amd: "human", durationMs: 120_000 },
  { status: "completed", result: "lead", sentiment: "positive", amd: "human", durationMs: 90_000 },
  { status: "completed", result: "lead", sentiment: "positive", amd: "human", durationMs: 60_000 },
  { status: "completed", result: "not_interested", sentiment: "neutral", amd: "human", durationMs: 30_000 },
  { status: "completed", result: "not_interested", sentiment: "negative", amd: "human", durationMs: 45_000 },
  { status: "completed", result: "not_interested", sentiment: "negative", amd: "human", durationMs: 150_000 },
  { status: "completed", result: "callback", sentiment: "neutral", amd: "human", durationMs: 75_000 },
  { status: "completed", result: "answering_machine", amd: "machine", durationMs: 13_000 },
  { status: "failed", result: "failed", durationMs: 0 },
  { status: "failed", result: "failed" },
  { status: "no_answer", result: "no_answer", durationMs: 0 },
  { status: "busy" },
  { status: "cancelled" },
  { status: "calling" },
  { status: "ringing" },
  { status: "in_progress" },
  { status: "in_progress" },
  { status: "pending" },
  { status: "pending" },
  { status: "pending" },
  { status: "scheduled" },
  { status: "suspended" },
].map((call, index) => ({ ...call, ...(isDialled(call.status) ? { startedAt: dialled(index * 5) } : {}) }));

function isDialled(status: string): boolean {
  return !["pending", "scheduled", "suspended", "cancelled"].includes(status);
}

const datedCalls: CallFixture[] = [
  { status: "completed", result: "lead", durationMs: 100_000, startedAt: at("2025-01-15T22:05:10Z") },
  { status: "completed", result: "not_interested", durationMs: 50_000, startedAt: at("2025-01-15T22:14:59Z") },
  { status: "completed", result: "lead", durationMs: 60_000, startedAt: at("2025-01-15T22:15:00Z") },
  { status: "completed", result: "callback", durationMs: 40_000, startedAt: at("2025-01-15T22:29:59.999Z") },
  { status: "no_answer", result: "no_answer", durationMs: 0, startedAt: at("2025-01-15T22:44:00Z") },
  { status: "completed", result: "lead", durationMs: 80_000, startedAt: at("2025-01-15T23:00:00Z") },
  { status: "failed", result: "failed", startedAt: at("2025-01-15T23:59:59Z") },
  { status: "completed", result: "answering_machine", durationMs: 20_000, startedAt: at("2025-01-16T00:30:00Z") },
  { status: "completed", result: "not_interested", durationMs: 30_000, startedAt: at("2025-01-16T01:45:00Z") },
  // Completed without a start time (written by an import): placed at its creation.
  { status: "completed", result: "lead", createdAt: at("2025-01-15T22:50:00Z") },
  // Cancelled before it was dialled: not on the timeline.
  { status: "cancelled", createdAt: at("2025-01-15T21:00:00Z") },
].map((call) => ({ createdAt: at("2025-01-15T21:00:00Z"), ...call }));

let demo: Org;
let mixed: Inserted;
let empty: Inserted;
let allFailed: Inserted;
let dated: Inserted;
let live: Inserted;
let other: { headers: Record<string, string>; org: Org; running: Inserted; done: Inserted };

async function createOtherOrganisation(): Promise<typeof other> {
  const user = await registerUser("stats");
  const headers = bearer(user.accessToken);
  const agent = successData<{ slug: string }>(await createAgentRequest(headers), "createAgent");
  for (let index = 0; index < 2; index++) successData(await createContactRequest(headers), "createContact");
  const viewer = await graphql<{ viewer: { organization: { id: string } } }>(
    "{ viewer { organization { id } } }",
    undefined,
    headers,
  );
  const orgId = viewer.body.data?.viewer.organization.id ?? "";
  const org = await orgRefs(orgId, agent.slug);
  const today = new Date();
  const running = await insertCampaign(
    org,
    { name: "B running", status: "running", createdAt: ago(2 * HOUR), startedAt: ago(HOUR) },
    [
      ...times(2, { status: "in_progress", startedAt: today }),
      { status: "ringing", startedAt: today },
      { status: "completed", result: "lead", durationMs: 60_000, startedAt: today },
      { status: "completed", result: "not_interested", durationMs: 30_000, startedAt: today },
      { status: "completed", result: "callback", durationMs: 0, startedAt: today },
      ...times(2, { status: "pending" }),
    ],
  );
  const threeDaysAgo = ago(72 * HOUR);
  const done = await insertCampaign(
    org,
    {
      name: "B done",
      status: "completed",
      createdAt: threeDaysAgo,
      startedAt: threeDaysAgo,
      completedAt: ago(71 * HOUR),
    },
    [
      ...times(2, { status: "completed", result: "lead", durationMs: 100_000, startedAt: threeDaysAgo }),
      ...times(2, { status: "completed", result: "not_interested", durationMs: 100_000, startedAt: threeDaysAgo }),
    ],
  );
  await insertCampaign(org, { name: "B pending", status: "pending", createdAt: ago(HOUR) }, []);
  return { headers, org, running, done };
}

beforeAll(async () => {
  const { id: demoOrgId } = await one<{ id: string }>("select id from organisations where slug = 'demo'", []);
  demo = await orgRefs(demoOrgId, "scenario_finance_crypto");
  mixed = await insertCampaign(
    demo,
    { name: "Stats mixte", status: "running", createdAt: mixedCreated, startedAt: mixedStart },
    mixedCalls,
  );
  empty = await insertCampaign(demo, { name: "Stats vide", status: "pending", createdAt: ago(HOUR) }, []);
  allFailed = await insertCampaign(
    demo,
    {
      name: "Stats échecs",
      status: "completed",
      createdAt: at("2025-02-01T09:00:00Z"),
      startedAt: at("2025-02-01T10:00:00Z"),
      completedAt: at("2025-02-01T10:30:00Z"),
    },
    [
      { status: "failed", result: "failed", durationMs: 0, startedAt: at("2025-02-01T10:05:00Z") },
      { status: "failed", result: "failed", startedAt: at("2025-02-01T10:10:00Z") },
      { status: "failed", result: "failed", durationMs: 0, createdAt: at("2025-02-01T10:20:00Z") },
    ],
  );
  dated = await insertCampaign(
    demo,
    {
      name: "Stats datée",
      status: "completed",
      agentSlug: "scenario_vin",
      createdAt: at("2025-01-15T21:00:00Z"),
      startedAt: at("2025-01-15T22:00:00Z"),
      completedAt: at("2025-01-16T02:00:00Z"),
    },
    datedCalls,
  );
  live = await insertCampaign(
    demo,
    { name: "Stats live", status: "running", createdAt: ago(2 * HOUR), startedAt: ago(HOUR) },
    [
      ...times(2, { status: "completed", result: "lead", durationMs: 60_000, startedAt: ago(50 * MINUTE) }),
      { status: "in_progress", startedAt: ago(MINUTE) },
      ...times(2, { status: "pending" }),
    ],
  );
  other = await createOtherOrganisation();
});

// ---- helpers -------------------------------------------------------------------------------------------

async function getOk(path: string, headers: Record<string, string> = demoHeaders()): Promise<RestResponse> {
  const response = await rest("GET", path, { headers });
  expect(response.status, response.text).toBe(200);
  return response;
}

/** `2025-01-15T14:00:00.000000` → the instant (the legacy format is UTC without a zone). */
function fromLegacy(timestamp: string): number {
  expect(timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  return Date.parse(`${timestamp.slice(0, 23)}Z`);
}

function legacy(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/** Relay's global id of a campaign row. */
function nodeId(campaign: Inserted): string {
  return Buffer.from(`Campaign:${campaign.id}`).toString("base64");
}

function dataOf<T>(response: GraphqlResponse<T>): T {
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  const data = response.body.data;
  if (!data) throw new Error(`no data: ${JSON.stringify(response.body)}`);
  return data;
}

/** The fields read one by one; the rest is compared whole. */
type Body = Record<string, unknown>;
type FullStatsBody = Body & { status: Body; timestamps: { elapsed_seconds: number } };
type LiveBody = Body & { last_update: string; eta: string };

const ZERO_RESULTS = {
  lead: 0,
  not_interested: 0,
  callback: 0,
  no_answer: 0,
  failed: 0,
  wrong_number: 0,
  answering_machine: 0,
};

// ---- full statistics -----------------------------------------------------------------------------------

describe("GET /api/stats/campaign/{campaign_id}", () => {
  it("counts every status, result, sentiment and AMD verdict of a running campaign", async () => {
    const { body } = await getOk(`/api/stats/campaign/${mixed.number}`);
    const stats = body as FullStatsBody;
    expect(stats).toMatchObject({
      campaign_id: mixed.number,
      campaign_name: "Stats mixte",
      campaign_status: "running",
      total: 22,
      // scheduled and suspended (held for credit) wait as pending; busy is a no answer.
      status: {
        pending: 5,
        calling: 1,
        ringing: 1,
        in_progress: 2,
        completed: 8,
        failed: 2,
        cancelled: 1,
        no_answer: 2,
      },
      results: {
        lead: 3,
        not_interested: 3,
        callback: 1,
        no_answer: 1,
        failed: 2,
        wrong_number: 0,
        answering_machine: 1,
      },
      sentiment: { positive: 3, neutral: 2, negative: 2 },
      amd: { human: 7, machine: 1, detection_rate: "87.5%" },
      // 583 s over the 8 calls that lasted; 8 completed in a little over 2 h.
      averages: { duration: "72.9s", calls_per_hour: "4.0" },
      conversion: { leads: 3, rate: "37.5%" },
      timestamps: { created: legacy(mixedCreated), started: legacy(mixedStart), completed: null },
    });
    expect(Object.keys(stats.status)).toHaveLength(8);
    expect(stats.timestamps.elapsed_seconds).toBeGreaterThanOrEqual(7200);
    expect(stats.timestamps.elapsed_seconds).toBeLessThan(7200 + 600);
  });

  it('shows "0%", "N/A" and zero durations for a campaign without calls', async () => {
    const { body } = await getOk(`/api/stats/campaign/${empty.number}`);
    expect(body).toEqual({
      campaign_id: empty.number,
      campaign_name: "Stats vide",
      campaign_status: "pending",
      total: 0,
      status: {
        pending: 0,
        calling: 0,
        ringing: 0,
        in_progress: 0,
        completed: 0,
        failed: 0,
        cancelled: 0,
        no_answer: 0,
      },
      results: ZERO_RESULTS,
      sentiment: { positive: 0, neutral: 0, negative: 0 },
      amd: { human: 0, machine: 0, detection_rate: "N/A" },
      averages: { duration: "0.0s", calls_per_hour: "0.0" },
      conversion: { leads: 0, rate: "0%" },
      timestamps: { created: legacy(ago(HOUR)), started: null, completed: null, elapsed_seconds: 0 },
    });
  });

  it("measures a completed campaign from its start to its completion", async () => {
    const { body } = await getOk(`/api/stats/campaign/${allFailed.number}`);
    expect(body).toEqual({
      campaign_id: allFailed.number,
      campaign_name: "Stats échecs",
      campaign_status: "completed",
      total: 3,
      status: {
        pending: 0,
        calling: 0,
        ringing: 0,
        in_progress: 0,
        completed: 0,
        failed: 3,
        cancelled: 0,
        no_answer: 0,
      },
      results: { ...ZERO_RESULTS, failed: 3 },
      sentiment: { positive: 0, neutral: 0, negative: 0 },
      amd: { human: 0, machine: 0, detection_rate: "N/A" },
      averages: { duration: "0.0s", calls_per_hour: "0.0" },
      conversion: { leads: 0, rate: "0%" },
      timestamps: {
        created: "2025-02-01T09:00:00.000000",
        started: "2025-02-01T10:00:00.000000",
        completed: "2025-02-01T10:30:00.000000",
        elapsed_seconds: 1800,
      },
    });
  });

  it("computes calls per hour over the campaign's whole run", async () => {
    const { body } = await getOk(`/api/stats/campaign/${dated.number}`);
    // 8 completed calls in 4 h.
    expect(body).toMatchObject({
      total: 11,
      averages: { duration: "54.3s", calls_per_hour: "2.0" },
      conversion: { leads: 4, rate: "50.0%" },
      timestamps: { elapsed_seconds: 4 * 3600 },
    });
  });
});

// ---- live statistics -----------------------------------------------------------------------------------

describe("GET /api/stats/campaign/{campaign_id}/live", () => {
  it("gives the live figures and an ETA at the current pace", async () => {
    const { body } = await getOk(`/api/stats/campaign/${mixed.number}/live`);
    const stats = body as LiveBody;
    expect(stats).toMatchObject({
      campaign_id: mixed.number,
      campaign_name: "Stats mixte",
      status: "running",
      total: 22,
      completed: 8,
      in_progress: 4,
      pending: 5,
      results: { leads: 3, not_interested: 3, callbacks: 1, answering_machines: 1, no_answer: 1 },
      percentages: { completion: "36.4%", leads: "37.5%", not_interested: "37.5%" },
      duration: { average: "72.9s", total: "9.7min" },
      sentiment: { positive: 3, neutral: 2, negative: 2, positive_rate: "37.5%" },
    });
    // 8 completed since the start; the 9 calls still waiting or on the line at the same pace.
    const lastUpdate = fromLegacy(stats.last_update);
    const spent = lastUpdate - mixedStart.getTime();
    expect(Math.abs(fromLegacy(stats.eta) - (lastUpdate + (spent / 8) * 9))).toBeLessThanOrEqual(2);
  });

  it("has no ETA and only zero rates without calls", async () => {
    const { body } = await getOk(`/api/stats/campaign/${empty.number}/live`);
    expect(body).toMatchObject({
      total: 0,
      completed: 0,
      in_progress: 0,
      pending: 0,
      percentages: { completion: "0%", leads: "0%", not_interested: "0%" },
      duration: { average: "0.0s", total: "0.0min" },
      sentiment: { positive: 0, neutral: 0, negative: 0, positive_rate: "0%" },
      eta: null,
    });
  });

  it("has no ETA once the campaign is over, and rates over calls that failed", async () => {
    const { body } = await getOk(`/api/stats/campaign/${allFailed.number}/live`);
    expect(body).toMatchObject({
      status: "completed",
      total: 3,
      completed: 0,
      percentages: { completion: "0.0%", leads: "0%", not_interested: "0%" },
      results: { leads: 0, not_interested: 0, callbacks: 0, answering_machines: 0, no_answer: 0 },
      eta: null,
    });
  });

  it("serves the same figures for 5 seconds, to REST and GraphQL, then refreshes them", async () => {
    const path = `/api/stats/campaign/${live.number}/live`;
    const first = (await getOk(path)).body as LiveBody;
    expect(first).toMatchObject({ total: 5, completed: 2, in_progress: 1, pending: 2 });
    const computedAt = fromLegacy(first.last_update);

    await database().query(
      "update calls set status = 'completed', result = 'lead' where id = (select id from calls where campaign_id = $1 and status = 'pending' limit 1)",
      [live.id],
    );
    const second = (await getOk(path)).body as LiveBody;
    const graph = dataOf(
      await graphql<{ node: { liveStats: { completed: number; lastUpdate: string } } }>(
        "query ($id: ID!) { node(id: $id) { ... on Campaign { liveStats { completed lastUpdate } } } }",
        { id: nodeId(live) },
        demoHeaders(),
      ),
    );
    const servedAt = Date.now();
    // Only meaningful while the cache entry is still young; the next assertion refreshes it anyway.
    expect(servedAt - computedAt).toBeLessThan(5_000);
    expect(second).toEqual(first);
    expect(graph.node.liveStats).toEqual({ completed: 2, lastUpdate: new Date(computedAt).toISOString() });

    // Another organisation asking for the same campaign number gets its own answer: not found.
    const foreign = await rest("GET", path, { headers: other.headers });
    expect(foreign.status).toBe(404);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, computedAt + 5_200 - Date.now())));
    const refreshed = (await getOk(path)).body as LiveBody;
    expect(refreshed).toMatchObject({ completed: 3, pending: 1, results: { leads: 3 } });
    expect(fromLegacy(refreshed.last_update)).toBeGreaterThan(computedAt);
  });
});

// ---- timeline ------------------------------------------------------------------------------------------

describe("GET /api/stats/campaign/{campaign_id}/timeline", () => {
  const timeline = async (interval?: number) => {
    const query = interval === undefined ? "" : `?interval=${interval}`;
    return (await getOk(`/api/stats/campaign/${dated.number}/timeline${query}`)).body;
  };

  it("buckets placed calls by the hour by default, skipping calls never dialled", async () => {
    expect(await timeline()).toEqual({
      campaign_id: dated.number,
      interval_minutes: 60,
      timeline: [
        { timestamp: "2025-01-15T22:00:00.000000", calls: 6, leads: 3 },
        { timestamp: "2025-01-15T23:00:00.000000", calls: 2, leads: 1 },
        { timestamp: "2025-01-16T00:00:00.000000", calls: 1, leads: 0 },
        { timestamp: "2025-01-16T01:00:00.000000", calls: 1, leads: 0 },
      ],
    });
  });

  it("buckets by 15 minutes on quarter hours, leaving out empty ones", async () => {
    expect(await timeline(15)).toEqual({
      campaign_id: dated.number,
      interval_minutes: 15,
      timeline: [
        { timestamp: "2025-01-15T22:00:00.000000", calls: 2, leads: 1 },
        { timestamp: "2025-01-15T22:15:00.000000", calls: 2, leads: 1 },
        { timestamp: "2025-01-15T22:30:00.000000", calls: 1, leads: 0 },
        { timestamp: "2025-01-15T22:45:00.000000", calls: 1, leads: 1 },
        { timestamp: "2025-01-15T23:00:00.000000", calls: 1, leads: 1 },
        { timestamp: "2025-01-15T23:45:00.000000", calls: 1, leads: 0 },
        { timestamp: "2025-01-16T00:30:00.000000", calls: 1, leads: 0 },
        { timestamp: "2025-01-16T01:45:00.000000", calls: 1, leads: 0 },
      ],
    });
  });

  it("buckets by UTC day with interval=1440", async () => {
    expect(await timeline(1440)).toEqual({
      campaign_id: dated.number,
      interval_minutes: 1440,
      timeline: [
        { timestamp: "2025-01-15T00:00:00.000000", calls: 8, leads: 4 },
        { timestamp: "2025-01-16T00:00:00.000000", calls: 2, leads: 0 },
      ],
    });
  });

  it("counts calls that failed before a start time at their creation, and is empty without calls", async () => {
    expect((await getOk(`/api/stats/campaign/${allFailed.number}/timeline`)).body).toMatchObject({
      timeline: [{ timestamp: "2025-02-01T10:00:00.000000", calls: 3, leads: 0 }],
    });
    expect((await getOk(`/api/stats/campaign/${empty.number}/timeline?interval=5`)).body).toEqual({
      campaign_id: empty.number,
      interval_minutes: 5,
      timeline: [],
    });
  });

  for (const interval of ["0", "1441", "abc", "1.5"]) {
    it(`refuses interval=${interval} with the documented 422`, async () => {
      const response = await rest("GET", `/api/stats/campaign/${dated.number}/timeline?interval=${interval}`, {
        headers: demoHeaders(),
      });
      expect(response.status).toBe(422);
      const body = response.body as { error: { code: string; message: string; details: Array<{ loc: unknown[] }> } };
      expect(body.error.code).toBe("VALIDATION_ERROR");
      expect(body.error.message).toBe("Invalid request data");
      expect(body.error.details[0]?.loc).toEqual(["query", "interval"]);
    });
  }
});

// ---- summary and system --------------------------------------------------------------------------------

describe("GET /api/exports/summary/{campaign_id}", () => {
  it("summarises a finished campaign for a report", async () => {
    expect((await getOk(`/api/exports/summary/${dated.number}`)).body).toEqual({
      campaign: { id: dated.number, name: "Stats datée", scenario: "scenario_vin", status: "completed" },
      summary: {
        total_calls: 11,
        completed_calls: 8,
        completion_rate: "72.7%",
        results: {
          lead: 4,
          not_interested: 2,
          callback: 1,
          no_answer: 1,
          failed: 1,
          wrong_number: 0,
          answering_machine: 1,
        },
        conversion_rate: "50.0%",
        // 380 s over the 7 calls that lasted.
        average_duration: "54.3s",
        date_range: { started: "2025-01-15T22:00:00.000000", completed: "2025-01-16T02:00:00.000000" },
      },
    });
  });

  it("gives zeros and null dates for a campaign that never ran", async () => {
    expect((await getOk(`/api/exports/summary/${empty.number}`)).body).toEqual({
      campaign: { id: empty.number, name: "Stats vide", scenario: "scenario_finance_crypto", status: "pending" },
      summary: {
        total_calls: 0,
        completed_calls: 0,
        completion_rate: "0%",
        results: ZERO_RESULTS,
        conversion_rate: "0%",
        average_duration: "0.0s",
        date_range: { started: null, completed: null },
      },
    });
  });
});

describe("GET /api/stats/system", () => {
  it("totals the caller's organisation only", async () => {
    const { body } = await getOk("/api/stats/system", other.headers);
    expect(body).toMatchObject({
      system: { version: "3.0.0", status: "operational" },
      campaigns: { total: 3, active: 1, completed: 1 },
      // 6 placed today; 3 on the line; 490 s over the 6 calls that lasted.
      calls: { total: 12, today: 6, active_now: 3, average_duration: "81.7s" },
      contacts: { total: 2 },
      performance: { conversion_rate: "42.9%", total_leads: 3 },
      limits: { max_concurrent_calls: 50, current_usage: "6.0%" },
    });
    expect((body as { system: { uptime: string } }).system.uptime).toMatch(/^\d+h \d+m$/);
  });
});

// ---- errors --------------------------------------------------------------------------------------------

describe("statistics errors", () => {
  const campaignPaths = (id: number) => [
    `/api/stats/campaign/${id}`,
    `/api/stats/campaign/${id}/live`,
    `/api/stats/campaign/${id}/timeline`,
    `/api/exports/summary/${id}`,
  ];

  it("answers 404 for an unknown campaign", async () => {
    for (const path of campaignPaths(999_999_999)) {
      const response = await rest("GET", path, { headers: demoHeaders() });
      expect(response.status, path).toBe(404);
      expect(response.body, path).toMatchObject({
        error: { code: "HTTP_404", message: "Campaign 999999999 not found" },
      });
    }
  });

  it("answers 404 for another organisation's campaign, both ways", async () => {
    for (const path of campaignPaths(mixed.number)) {
      const response = await rest("GET", path, { headers: other.headers });
      expect(response.status, path).toBe(404);
      expect(response.body, path).toMatchObject({ error: { message: `Campaign ${mixed.number} not found` } });
    }
    for (const path of campaignPaths(other.running.number)) {
      expect((await rest("GET", path, { headers: demoHeaders() })).status, path).toBe(404);
    }
    // The owner does see it.
    expect((await getOk(`/api/stats/campaign/${other.running.number}`, other.headers)).body).toMatchObject({
      total: 8,
      status: { in_progress: 2, ringing: 1, completed: 3, pending: 2 },
    });
  });

  it("answers 401 without credentials", async () => {
    for (const path of [...campaignPaths(mixed.number), "/api/stats/system"]) {
      const response = await rest("GET", path);
      expect(response.status, path).toBe(401);
      expect(response.body, path).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
  });

  it("answers 422 for a campaign id that is not an integer", async () => {
    const response = await rest("GET", "/api/stats/campaign/abc", { headers: demoHeaders() });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      error: { code: "VALIDATION_ERROR", details: [{ loc: ["path", "campaign_id"] }] },
    });
  });

  it("documents every statistics endpoint in /openapi.json", async () => {
    const document = (await getOk("/openapi.json", {})).body as {
      paths: Record<string, { get?: { tags?: string[]; responses: Record<string, unknown> } }>;
    };
    const expected: Record<string, string> = {
      "/api/stats/campaign/{campaign_id}": "Statistics",
      "/api/stats/campaign/{campaign_id}/live": "Statistics",
      "/api/stats/campaign/{campaign_id}/timeline": "Statistics",
      "/api/stats/system": "Statistics",
      "/api/exports/summary/{campaign_id}": "Exports",
    };
    for (const [path, tag] of Object.entries(expected)) {
      const operation = document.paths[path]?.get;
      expect(operation?.tags, path).toEqual([tag]);
      expect(Object.keys(operation?.responses ?? {}), path).toEqual(expect.arrayContaining(["200", "401", "422"]));
    }
  });
});

// ---- GraphQL -------------------------------------------------------------------------------------------

const CAMPAIGN_STATS = `query ($id: ID!, $interval: Int) {
  node(id: $id) {
    ... on Campaign {
      stats {
        total leads conversionRate averageDurationSeconds callsPerHour elapsedSeconds
        statuses { pending scheduled suspended calling ringing inProgress completed failed cancelled noAnswer busy }
        results { lead notInterested callback noAnswer failed wrongNumber answeringMachine }
        sentiment { positive neutral negative }
        amd { human machine detectionRate }
      }
      liveStats {
        total completed inProgress pending completionRate leadRate notInterestedRate positiveRate
        averageDurationSeconds totalDurationSeconds eta lastUpdate
        results { leads notInterested callbacks answeringMachines noAnswer }
      }
      timeline(interval: $interval) { startsAt calls leads }
    }
  }
}`;

type CampaignStatsData = {
  node: {
    stats: Body & { callsPerHour: number; elapsedSeconds: number };
    liveStats: Body & { completionRate: number; eta: string; lastUpdate: string };
    timeline: Array<{ startsAt: string; calls: number; leads: number }>;
  } | null;
};

describe("GraphQL statistics", () => {
  it("gives the same figures as numbers on Campaign.stats, liveStats and timeline", async () => {
    const data = dataOf(await graphql<CampaignStatsData>(CAMPAIGN_STATS, { id: nodeId(mixed) }, demoHeaders()));
    const node = data.node;
    expect(node?.stats).toMatchObject({
      total: 22,
      leads: 3,
      conversionRate: 0.375,
      averageDurationSeconds: 72.875,
      statuses: {
        pending: 3,
        scheduled: 1,
        suspended: 1,
        calling: 1,
        ringing: 1,
        inProgress: 2,
        completed: 8,
        failed: 2,
        cancelled: 1,
        noAnswer: 1,
        busy: 1,
      },
      results: { lead: 3, notInterested: 3, callback: 1, noAnswer: 1, failed: 2, wrongNumber: 0, answeringMachine: 1 },
      sentiment: { positive: 3, neutral: 2, negative: 2 },
      amd: { human: 7, machine: 1, detectionRate: 0.875 },
    });
    expect(node?.stats.callsPerHour).toBeCloseTo(4, 1);
    expect(node?.stats.elapsedSeconds).toBeGreaterThanOrEqual(7200);
    expect(node?.liveStats).toMatchObject({
      total: 22,
      completed: 8,
      inProgress: 4,
      pending: 5,
      leadRate: 0.375,
      notInterestedRate: 0.375,
      positiveRate: 0.375,
      averageDurationSeconds: 72.875,
      totalDurationSeconds: 583,
      results: { leads: 3, notInterested: 3, callbacks: 1, answeringMachines: 1, noAnswer: 1 },
    });
    expect(node?.liveStats.completionRate).toBeCloseTo(8 / 22);
    expect(Date.parse(node?.liveStats.eta ?? "")).toBeGreaterThan(Date.parse(node?.liveStats.lastUpdate ?? ""));
  });

  it("gives nulls where REST says 0% or N/A", async () => {
    const data = dataOf(await graphql<CampaignStatsData>(CAMPAIGN_STATS, { id: nodeId(empty) }, demoHeaders()));
    expect(data.node?.stats).toMatchObject({
      total: 0,
      conversionRate: null,
      averageDurationSeconds: null,
      callsPerHour: 0,
      elapsedSeconds: 0,
      amd: { human: 0, machine: 0, detectionRate: null },
    });
    expect(data.node?.liveStats).toMatchObject({ completionRate: null, leadRate: null, positiveRate: null, eta: null });
    expect(data.node?.timeline).toEqual([]);
  });

  it("buckets the timeline like REST, with DateTime starts", async () => {
    const data = dataOf(
      await graphql<CampaignStatsData>(CAMPAIGN_STATS, { id: nodeId(dated), interval: 1440 }, demoHeaders()),
    );
    expect(data.node?.timeline).toEqual([
      { startsAt: "2025-01-15T00:00:00.000Z", calls: 8, leads: 4 },
      { startsAt: "2025-01-16T00:00:00.000Z", calls: 2, leads: 0 },
    ]);
    const hourly = dataOf(await graphql<CampaignStatsData>(CAMPAIGN_STATS, { id: nodeId(dated) }, demoHeaders()));
    expect(hourly.node?.timeline.map((bucket) => bucket.calls)).toEqual([6, 2, 1, 1]);
  });

  for (const interval of [0, 1441]) {
    it(`refuses timeline(interval: ${interval}) with BAD_USER_INPUT`, async () => {
      const response = await graphql(CAMPAIGN_STATS, { id: nodeId(dated), interval }, demoHeaders());
      expect(response.body.errors?.map((error) => error.extensions?.code)).toContain("BAD_USER_INPUT");
    });
  }

  it("gives systemStats for the caller's organisation", async () => {
    const data = dataOf(
      await graphql<{ systemStats: Record<string, unknown> }>(
        `{ systemStats {
            campaigns { total active completed }
            calls { total today activeNow averageDurationSeconds }
            contacts totalLeads conversionRate maxConcurrentCalls concurrencyUsage
        } }`,
        undefined,
        other.headers,
      ),
    );
    expect(data.systemStats).toMatchObject({
      campaigns: { total: 3, active: 1, completed: 1 },
      calls: { total: 12, today: 6, activeNow: 3 },
      contacts: 2,
      totalLeads: 3,
      maxConcurrentCalls: 50,
      concurrencyUsage: 0.06,
    });
    expect((data.systemStats.calls as { averageDurationSeconds: number }).averageDurationSeconds).toBeCloseTo(490 / 6);
    expect(data.systemStats.conversionRate).toBeCloseTo(3 / 7);
  });

  it("does not let another organisation read a campaign's statistics", async () => {
    const asOther = dataOf(await graphql<CampaignStatsData>(CAMPAIGN_STATS, { id: nodeId(mixed) }, other.headers));
    expect(asOther.node).toBeNull();
    const asDemo = dataOf(await graphql<CampaignStatsData>(CAMPAIGN_STATS, { id: nodeId(other.done) }, demoHeaders()));
    expect(asDemo.node).toBeNull();
    const asOwner = dataOf(await graphql<CampaignStatsData>(CAMPAIGN_STATS, { id: nodeId(other.done) }, other.headers));
    expect(asOwner.node?.stats).toMatchObject({ total: 4, leads: 2, conversionRate: 0.5 });
  });
});
