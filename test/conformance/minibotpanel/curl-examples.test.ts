import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { holdDialling, useDatabase } from "../../support/database.js";
import { rest } from "../../support/http.js";
import { uploadRecording } from "../../support/recordings.js";
import { sineWav } from "../../support/wav.js";
import {
  addTurns,
  apiKey,
  backdateStart,
  type CallRow,
  callsOf,
  campaignAction,
  createCampaign,
  DOC_CREATE_BODY,
  setOutcome,
} from "./data.js";
import { localise, type Replayed, replayCurl, scratchRoot } from "./replay.js";
import {
  ActionResult,
  CallList,
  CampaignCreated,
  CampaignDetail,
  CampaignList,
  CampaignPatched,
  CampaignStats,
  CSV_HEADER,
  CSV_HEADER_WITHOUT_LINKS,
  ExportJson,
  expectShape,
  FORMATS,
  Health,
  LiveStats,
  METRIC_FAMILIES,
  RootInfo,
  StopResult,
  Summary,
  SystemStats,
  Timeline,
  TranscriptJson,
} from "./shapes.js";

/**
 * Every curl example of shared/api-docs/minibotpanel.md, run with the real curl against the worker
 * under test. The commands are the document's, character for character; only the host, the password
 * and the example ids (campaign 42, call abc-123-456) are replaced by the test stack's.
 *
 * The documented campaign (the "Créer une campagne" body: contacts 1–5, scenario_finance_crypto) is
 * created through the API and started; its calls get outcomes in the database, as the media node would
 * report them: Jean Dupont a lead (127 s, positive, human, with a transcript and a recording), Marie a
 * not-interested (45.5 s, negative, human), Pierre a callback (60 s, neutral, answering machine
 * detected), Sophie still in progress, Luc still pending. The start is moved two hours back.
 */

/** Marks the document's command text; raw, so its backslash line continuations reach bash as written. */
const doc = String.raw;

const TRANSCRIPT: Array<[speaker: string, text: string]> = [
  ["agent", "Allô, bonjour Monsieur Dupont. Je suis Julie de TechCorp."],
  ["contact", "Oui bonjour."],
  ["agent", "Seriez-vous disponible pour une démo gratuite de 15 minutes ?"],
  ["contact", "Pourquoi pas, de quoi s'agit-il exactement ?"],
];
const LEAD_METADATA = { objection_matched: "J'ai déjà une banque", freestyle_turns: 2 };

const db = useDatabase();
let root: Awaited<ReturnType<typeof scratchRoot>>;
/** The documented campaign's number, standing for the examples' 42. */
let campaign: number;
/** Jean Dupont's lead call, as the calls listing names it; stands for abc-123-456. */
let leadUuid: string;
let recording: Uint8Array;

beforeAll(async () => {
  root = await scratchRoot();
  campaign = await createCampaign(DOC_CREATE_BODY);
  // The outcomes below are written by hand; the dialer must not place these calls meanwhile.
  await holdDialling(db(), campaign);
  await campaignAction(campaign, "start");
  await backdateStart(db(), campaign, 2);
  const jean = await reportOutcomes(await callsOf(db(), campaign));
  await addTurns(db(), jean, TRANSCRIPT);
  recording = sineWav(0.25);
  const upload = await uploadRecording(jean.id, recording);
  expect(upload.status, `recording upload: ${upload.text}`).toBe(200);
  const leads = await rest("GET", `/api/campaigns/${campaign}/calls?result=lead`, { headers: apiKey() });
  leadUuid = (leads.body as { calls: Array<{ uuid: string }> }).calls[0]?.uuid ?? "(no lead call listed)";
});

/** The outcomes described above, on the calls of contacts 1–5; returns Jean's call. */
async function reportOutcomes(calls: CallRow[]): Promise<CallRow> {
  expect(calls.map((call) => call.contactNumber)).toEqual([1, 2, 3, 4, 5]);
  const [jean, marie, pierre, sophie] = calls as [CallRow, CallRow, CallRow, CallRow, CallRow];
  await setOutcome(db(), jean.id, {
    status: "completed",
    result: "lead",
    durationSeconds: 127,
    sentiment: "positive",
    confidence: 0.92,
    amd: "human",
    metadata: LEAD_METADATA,
    startedMinutesAgo: 100,
  });
  await setOutcome(db(), marie.id, {
    status: "completed",
    result: "not_interested",
    durationSeconds: 45.5,
    sentiment: "negative",
    amd: "human",
    startedMinutesAgo: 70,
  });
  await setOutcome(db(), pierre.id, {
    status: "completed",
    result: "callback",
    durationSeconds: 60,
    sentiment: "neutral",
    amd: "machine",
    startedMinutesAgo: 40,
  });
  await setOutcome(db(), sophie.id, { status: "in_progress", startedMinutesAgo: 1 });
  return jean;
}

afterAll(async () => {
  await root?.cleanup();
});

/** Replays a documented command with 42 → the documented campaign and abc-123-456 → its lead call. */
function replay(docCommand: string, ids: Record<string, number | string> = {}): Promise<Replayed> {
  return replayCurl(root.path, localise(docCommand, { "42": campaign, "abc-123-456": leadUuid, ...ids }));
}

function jsonOf(replayed: Replayed, status = 200): unknown {
  expect(replayed.status, replayed.stdout).toBe(status);
  expect(replayed.headers.get("content-type")).toMatch(/^application\/json/);
  return JSON.parse(replayed.stdout);
}

const fileIn = (replayed: Replayed, name: string) => readFile(join(replayed.dir, name));

describe("Authentification", () => {
  it("curl -H X-API-Key … /api/campaigns", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword123" http://localhost:8000/api/campaigns`);
    expectShape(CampaignList, jsonOf(replayed));
  });

  it("curl …/api/campaigns?password=…", async () => {
    const replayed = await replay(doc`curl "http://localhost:8000/api/campaigns?password=mypassword123"`);
    expectShape(CampaignList, jsonOf(replayed));
  });
});

describe("Endpoints racine", () => {
  it("curl / gives the system information", async () => {
    expectShape(RootInfo, jsonOf(await replay(doc`curl http://localhost:8000/`)));
  });

  it("curl /health gives 200 and every component's status", async () => {
    const health = expectShape(Health, jsonOf(await replay(doc`curl http://localhost:8000/health`)));
    expect(["healthy", "degraded"]).toContain(health.status);
    expect(health.components.database.status).toBe("healthy");
  });

  it("curl /metrics gives the four documented families in Prometheus text", async () => {
    const replayed = await replay(doc`curl http://localhost:8000/metrics`);
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("content-type")).toMatch(/^text\/plain/);
    for (const [family, type] of Object.entries(METRIC_FAMILIES)) {
      expect(replayed.stdout).toMatch(new RegExp(`^# HELP ${family} \\S.*$`, "m"));
      expect(replayed.stdout).toMatch(new RegExp(`^# TYPE ${family} ${type}$`, "m"));
      expect(replayed.stdout).toMatch(new RegExp(`^${family} \\d+(?:\\.\\d+)?$`, "m"));
    }
    // The documented campaign is running and Sophie's call is on the line.
    expect(metricValue(replayed.stdout, "minibot_campaigns_active")).toBeGreaterThanOrEqual(1);
    expect(metricValue(replayed.stdout, "minibot_calls_active")).toBeGreaterThanOrEqual(1);
    expect(metricValue(replayed.stdout, "minibot_calls_completed_total")).toBeGreaterThanOrEqual(3);
  });
});

function metricValue(text: string, family: string): number {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${family} `));
  return Number(line?.split(" ")[1]);
}

describe("Campaigns", () => {
  it("POST /api/campaigns/ creates a pending campaign with the documented defaults", async () => {
    const replayed = await replay(doc`curl -X POST http://localhost:8000/api/campaigns/ \
  -H "X-API-Key: mypassword" \
  -H "Content-Type: application/json" \
  -d '{
    "name": "Test Campaign",
    "contact_ids": [1, 2, 3],
    "scenario": "scenario_test_demo"
  }'`);
    const created = expectShape(CampaignCreated, jsonOf(replayed, 201));
    expect(created).toMatchObject({
      name: "Test Campaign",
      scenario: "scenario_test_demo",
      max_concurrent_calls: 5,
      batch_size: 10,
      retry_enabled: true,
      max_retries: 2,
      stats: { total: 3, completed: 0, pending: 3 },
    });
  });

  it("the documented creation body gives the documented answer", async () => {
    const response = await rest("POST", "/api/campaigns/", { headers: apiKey(), body: DOC_CREATE_BODY });
    expect(response.status, response.text).toBe(201);
    const { contact_ids: _ids, ...settings } = DOC_CREATE_BODY;
    expect(expectShape(CampaignCreated, response.body)).toMatchObject({
      ...settings,
      stats: { total: 5, completed: 0, pending: 5 },
    });
  });

  it("GET /api/campaigns/ lists campaigns, 50 by default", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" http://localhost:8000/api/campaigns/`);
    const list = expectShape(CampaignList, jsonOf(replayed));
    expect(list).toMatchObject({ limit: 50, offset: 0 });
    expect(list.campaigns.length).toBeGreaterThan(0);
    expect(list.campaigns.length).toBeLessThanOrEqual(50);
    expect(list.total).toBeGreaterThanOrEqual(list.campaigns.length);
  });

  it("GET /api/campaigns/?status=running lists running campaigns only", async () => {
    const replayed = await replay(
      doc`curl -H "X-API-Key: mypassword" "http://localhost:8000/api/campaigns/?status=running"`,
    );
    const list = expectShape(CampaignList, jsonOf(replayed));
    expect(new Set(list.campaigns.map((item) => item.status))).toEqual(new Set(["running"]));
    if (list.total <= list.limit) expect(list.campaigns.map((item) => item.id)).toContain(campaign);
    const listed = list.campaigns.find((item) => item.id === campaign);
    if (listed) {
      expect(listed).toMatchObject({
        name: "Prospection Q1 2025",
        scenario: "scenario_finance_crypto",
        stats: { total: 5, completed: 3, in_progress: 1, pending: 1 },
      });
    }
  });

  it("GET /api/campaigns/?limit=20&offset=40 pages", async () => {
    const replayed = await replay(
      doc`curl -H "X-API-Key: mypassword" "http://localhost:8000/api/campaigns/?limit=20&offset=40"`,
    );
    const list = expectShape(CampaignList, jsonOf(replayed));
    expect(list).toMatchObject({ limit: 20, offset: 40 });
    expect(list.campaigns.length).toBeLessThanOrEqual(20);
  });

  it("GET /api/campaigns/42 gives the details and counts", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" http://localhost:8000/api/campaigns/42`);
    const detail = expectShape(CampaignDetail, jsonOf(replayed));
    expect(detail).toMatchObject({
      id: campaign,
      name: "Prospection Q1 2025",
      description: "Campagne de prospection commerciale Q1",
      scenario: "scenario_finance_crypto",
      status: "running",
      completed_at: null,
      stats: { total: 5, completed: 3, in_progress: 1, pending: 1, leads: 1, not_interested: 1, callbacks: 1 },
    });
    expect(detail.started_at).not.toBeNull();
  });

  describe("the lifecycle examples, on a campaign of their own", () => {
    let lifecycle: number;
    const lifecycleReplay = (docCommand: string) => replay(docCommand, { "42": lifecycle });

    beforeAll(async () => {
      lifecycle = await createCampaign({ name: "Lifecycle", contact_ids: [1, 2, 3], scenario: "scenario_test_demo" });
      await holdDialling(db(), lifecycle);
    });

    it("POST /42/start", async () => {
      const replayed = await lifecycleReplay(doc`curl -X POST http://localhost:8000/api/campaigns/42/start \
  -H "X-API-Key: mypassword"`);
      expect(expectShape(ActionResult, jsonOf(replayed))).toEqual({
        status: "success",
        message: `Campaign ${lifecycle} started`,
        campaign_id: lifecycle,
      });
    });

    it("PATCH /42 changes max_concurrent_calls of a running campaign", async () => {
      const replayed = await lifecycleReplay(doc`curl -X PATCH http://localhost:8000/api/campaigns/42 \
  -H "X-API-Key: mypassword" \
  -H "Content-Type: application/json" \
  -d '{"max_concurrent_calls": 10}'`);
      const patched = expectShape(CampaignPatched, jsonOf(replayed));
      expect(patched).toMatchObject({ id: lifecycle, status: "running", max_concurrent_calls: 10 });
      expect(patched.started_at).not.toBeNull();
    });

    it("POST /42/pause", async () => {
      const replayed = await lifecycleReplay(doc`curl -X POST http://localhost:8000/api/campaigns/42/pause \
  -H "X-API-Key: mypassword"`);
      expect(expectShape(ActionResult, jsonOf(replayed))).toEqual({
        status: "success",
        message: `Campaign ${lifecycle} paused`,
        campaign_id: lifecycle,
      });
    });

    it("POST /42/resume", async () => {
      const replayed = await lifecycleReplay(doc`curl -X POST http://localhost:8000/api/campaigns/42/resume \
  -H "X-API-Key: mypassword"`);
      expect(expectShape(ActionResult, jsonOf(replayed))).toEqual({
        status: "success",
        message: `Campaign ${lifecycle} resumed`,
        campaign_id: lifecycle,
      });
    });

    it("POST /42/stop cancels the campaign and gives the final stats", async () => {
      const replayed = await lifecycleReplay(doc`curl -X POST http://localhost:8000/api/campaigns/42/stop \
  -H "X-API-Key: mypassword"`);
      const stopped = expectShape(StopResult, jsonOf(replayed));
      expect(stopped).toMatchObject({
        status: "success",
        message: `Campaign ${lifecycle} stopped`,
        campaign_id: lifecycle,
        final_stats: { total: 3, completed: 0, leads: 0, not_interested: 0 },
      });
      const after = await rest("GET", `/api/campaigns/${lifecycle}`, { headers: apiKey() });
      expect((after.body as { status: string }).status).toBe("cancelled");
    });
  });

  it("DELETE /42 answers 204 with an empty body, and the campaign is gone", async () => {
    const pending = await createCampaign({ name: "To delete", contact_ids: [1], scenario: "scenario_test_demo" });
    const replayed = await replay(
      doc`curl -X DELETE http://localhost:8000/api/campaigns/42 \
  -H "X-API-Key: mypassword"`,
      { "42": pending },
    );
    expect(replayed.status).toBe(204);
    expect(replayed.stdout).toBe("");
    expect((await rest("GET", `/api/campaigns/${pending}`, { headers: apiKey() })).status).toBe(404);
  });

  it("GET /42/calls lists every call", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" http://localhost:8000/api/campaigns/42/calls`);
    const list = expectShape(CallList, jsonOf(replayed));
    expect(list).toMatchObject({ total: 5, limit: 50, offset: 0 });
    expect(list.calls.map((call) => call.contact.phone).sort()).toEqual(
      ["+33612345678", "+33623456789", "+33634567890", "+33645678901", "+33656789014"].sort(),
    );
  });

  it("GET /42/calls?result=lead gives Jean Dupont's call as documented", async () => {
    const replayed = await replay(
      doc`curl -H "X-API-Key: mypassword" "http://localhost:8000/api/campaigns/42/calls?result=lead"`,
    );
    const list = expectShape(CallList, jsonOf(replayed));
    expect(list.total).toBe(1);
    expect(list.calls[0]).toMatchObject({
      uuid: leadUuid,
      contact: { phone: "+33612345678", first_name: "Jean", last_name: "Dupont", company: "TechCorp" },
      status: "completed",
      result: "lead",
      duration: 127,
      sentiment: "positive",
    });
  });

  it("GET /42/calls?status=completed gives the completed calls only", async () => {
    const replayed = await replay(
      doc`curl -H "X-API-Key: mypassword" "http://localhost:8000/api/campaigns/42/calls?status=completed"`,
    );
    const list = expectShape(CallList, jsonOf(replayed));
    expect(list.total).toBe(3);
    expect(list.calls.map((call) => call.status)).toEqual(["completed", "completed", "completed"]);
    expect(list.calls.map((call) => call.result).sort()).toEqual(["callback", "lead", "not_interested"]);
  });
});

describe("Statistics", () => {
  it("GET /api/stats/campaign/42 gives every count and the documented formats", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" http://localhost:8000/api/stats/campaign/42`);
    const stats = expectShape(CampaignStats, jsonOf(replayed));
    expect(stats).toMatchObject({
      campaign_id: campaign,
      campaign_name: "Prospection Q1 2025",
      campaign_status: "running",
      total: 5,
      status: { pending: 1, calling: 0, ringing: 0, in_progress: 1, completed: 3, failed: 0, cancelled: 0 },
      results: { lead: 1, not_interested: 1, callback: 1, no_answer: 0, failed: 0, wrong_number: 0 },
      sentiment: { positive: 1, neutral: 1, negative: 1 },
      // human / (human + machine) = 2 / 3
      amd: { human: 2, machine: 1, detection_rate: "66.7%" },
      // (127 + 45.5 + 60) / 3 s
      averages: { duration: "77.5s" },
      conversion: { leads: 1, rate: "33.3%" },
      timestamps: { completed: null },
    });
    expect(stats.timestamps.started).not.toBeNull();
    // Started two hours ago: 3 completed calls over the elapsed hours.
    expect(stats.timestamps.elapsed_seconds).toBeGreaterThanOrEqual(2 * 3600);
    expect(stats.averages.calls_per_hour).toBe((3 / (stats.timestamps.elapsed_seconds / 3600)).toFixed(1));
  });

  describe("on a campaign that has not started", () => {
    let fresh: number;
    beforeAll(async () => {
      fresh = await createCampaign({ name: "Test Campaign", contact_ids: [1, 2, 3], scenario: "scenario_test_demo" });
    });

    it("GET /api/stats/campaign/42 prints N/A, 0% and zero figures", async () => {
      const replayed = await replay(doc`curl -H "X-API-Key: mypassword" http://localhost:8000/api/stats/campaign/42`, {
        "42": fresh,
      });
      expect(expectShape(CampaignStats, jsonOf(replayed))).toMatchObject({
        campaign_status: "pending",
        total: 3,
        status: { pending: 3, completed: 0 },
        amd: { human: 0, machine: 0, detection_rate: "N/A" },
        averages: { duration: "0.0s", calls_per_hour: "0.0" },
        conversion: { leads: 0, rate: "0%" },
        timestamps: { started: null, completed: null, elapsed_seconds: 0 },
      });
    });

    it("GET /api/stats/campaign/42/live prints 0% rates and no ETA", async () => {
      const replayed = await replay(
        doc`curl -H "X-API-Key: mypassword" http://localhost:8000/api/stats/campaign/42/live`,
        {
          "42": fresh,
        },
      );
      expect(expectShape(LiveStats, jsonOf(replayed))).toMatchObject({
        status: "pending",
        total: 3,
        completed: 0,
        pending: 3,
        percentages: { completion: "0.0%", leads: "0%", not_interested: "0%" },
        duration: { average: "0.0s", total: "0.0min" },
        sentiment: { positive_rate: "0%" },
        eta: null,
      });
    });
  });

  const LIVE = doc`curl -H "X-API-Key: mypassword" http://localhost:8000/api/stats/campaign/42/live`;
  const WATCH = doc`watch -n 5 'curl -s -H "X-API-Key: mypassword" http://localhost:8000/api/stats/campaign/42/live | jq'`;

  it.each([
    ["curl …/live", LIVE],
    ["watch -n 5 'curl -s …/live | jq' (one refresh)", WATCH],
  ])("GET /api/stats/campaign/42/live: %s", async (_label, command) => {
    const live = expectShape(LiveStats, jsonOf(await replay(command)));
    expect(live).toMatchObject({
      campaign_id: campaign,
      campaign_name: "Prospection Q1 2025",
      status: "running",
      total: 5,
      completed: 3,
      in_progress: 1,
      pending: 1,
      results: { leads: 1, not_interested: 1, callbacks: 1, answering_machines: 0, no_answer: 0 },
      percentages: { completion: "60.0%", leads: "33.3%", not_interested: "33.3%" },
      // 232.5 s in all
      duration: { average: "77.5s", total: "3.9min" },
      sentiment: { positive: 1, neutral: 1, negative: 1, positive_rate: "33.3%" },
    });
    // Running, with calls completed and one in progress: there is an estimate, and it is ahead.
    expect(live.eta).not.toBeNull();
    expect(Date.parse(`${live.eta}Z`)).toBeGreaterThan(Date.parse(`${live.last_update}Z`));
  });

  it.each([
    [doc`curl -H "X-API-Key: mypassword" http://localhost:8000/api/stats/campaign/42/timeline`, 60],
    [doc`curl -H "X-API-Key: mypassword" "http://localhost:8000/api/stats/campaign/42/timeline?interval=15"`, 15],
    [doc`curl -H "X-API-Key: mypassword" "http://localhost:8000/api/stats/campaign/42/timeline?interval=1440"`, 1440],
  ])("GET …/timeline: %s", async (command, minutes) => {
    const timeline = expectShape(Timeline, jsonOf(await replay(command)));
    expect(timeline).toMatchObject({ campaign_id: campaign, interval_minutes: minutes });
    // Four calls were placed (Luc's is still waiting), one of them a lead.
    expect(timeline.timeline.reduce((sum, bucket) => sum + bucket.calls, 0)).toBe(4);
    expect(timeline.timeline.reduce((sum, bucket) => sum + bucket.leads, 0)).toBe(1);
    for (const bucket of timeline.timeline) {
      const startsAt = new Date(`${bucket.timestamp}Z`);
      expect(startsAt.getTime() % (minutes * 60_000), `${bucket.timestamp} is not on a ${minutes}-minute step`).toBe(0);
    }
  });

  it("GET /api/stats/system gives the system counts", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" http://localhost:8000/api/stats/system`);
    const system = expectShape(SystemStats, jsonOf(replayed));
    expect(system.system).toMatchObject({ version: "3.0.0", status: "operational" });
    expect(system.campaigns.active).toBeGreaterThanOrEqual(1);
    expect(system.campaigns.total).toBeGreaterThanOrEqual(system.campaigns.active + system.campaigns.completed);
    expect(system.calls.active_now).toBeGreaterThanOrEqual(1);
    expect(system.calls.total).toBeGreaterThanOrEqual(5);
    expect(system.contacts.total).toBeGreaterThanOrEqual(5);
    expect(system.performance.total_leads).toBeGreaterThanOrEqual(1);
  });
});

describe("Exports", () => {
  const jeanRow = () => [
    "+33612345678",
    "Jean",
    "Dupont",
    "jean@example.com",
    "TechCorp",
    "completed",
    "lead",
    "127",
    "positive",
    "0.92",
    "human",
  ];
  const csvTimestamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;

  it("GET …/csv -o campaign_42.csv writes the documented columns, with links", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" \
  http://localhost:8000/api/exports/campaign/42/csv \
  -o campaign_42.csv`);
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(replayed.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename=campaign_${campaign}_\\d{8}_\\d{6}\\.csv$`),
    );
    const text = (await fileIn(replayed, `campaign_${campaign}.csv`)).toString("utf8");
    expect(text.split(/\r?\n/)[0]).toBe(CSV_HEADER);
    const [, ...rows] = parse(text) as string[][];
    expect(rows).toHaveLength(5);
    const jean = rows.find((row) => row[0] === "+33612345678") ?? [];
    expect(jean.slice(0, 11)).toEqual(jeanRow());
    expect(jean[11]).toMatch(csvTimestamp);
    expect(jean[12]).toMatch(csvTimestamp);
    expect(jean.slice(13)).toEqual([
      `${inject("edgeUrl")}/api/exports/audio/${leadUuid}`,
      `${inject("edgeUrl")}/api/exports/transcript/${leadUuid}`,
    ]);
  });

  it("GET …/csv?include_links=false -o campaign_42.csv leaves the links out", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" \
  "http://localhost:8000/api/exports/campaign/42/csv?include_links=false" \
  -o campaign_42.csv`);
    expect(replayed.status).toBe(200);
    const text = (await fileIn(replayed, `campaign_${campaign}.csv`)).toString("utf8");
    expect(text.split(/\r?\n/)[0]).toBe(CSV_HEADER_WITHOUT_LINKS);
    const [, ...rows] = parse(text) as string[][];
    expect(rows).toHaveLength(5);
    expect(rows.every((row) => row.length === 13)).toBe(true);
  });

  function expectDocumentedExport(body: unknown): void {
    const exported = expectShape(ExportJson, body);
    expect(exported.campaign).toMatchObject({
      id: campaign,
      name: "Prospection Q1 2025",
      description: "Campagne de prospection commerciale Q1",
      scenario: "scenario_finance_crypto",
      status: "running",
    });
    expect(exported.calls).toHaveLength(5);
    const lead = exported.calls.find((call) => call.uuid === leadUuid);
    expect(lead).toMatchObject({
      contact: {
        phone: "+33612345678",
        first_name: "Jean",
        last_name: "Dupont",
        email: "jean@example.com",
        company: "TechCorp",
      },
      status: "completed",
      result: "lead",
      duration: 127,
      sentiment: "positive",
      amd_result: "human",
      metadata: LEAD_METADATA,
    });
    expect(lead?.confidence).toBeCloseTo(0.92, 5);
    expect(lead?.answered_at).not.toBeNull();
    expect(lead?.ended_at).not.toBeNull();
  }

  it("GET …/json -o campaign_42.json writes the campaign and its calls", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" \
  http://localhost:8000/api/exports/campaign/42/json \
  -o campaign_42.json`);
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("content-type")).toMatch(/^application\/json/);
    expectDocumentedExport(JSON.parse((await fileIn(replayed, `campaign_${campaign}.json`)).toString("utf8")));
  });

  it("GET …/json | jq '.' prints it", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" \
  http://localhost:8000/api/exports/campaign/42/json | jq '.'`);
    expectDocumentedExport(jsonOf(replayed));
  });

  function expectRecordingHeaders(replayed: Replayed): void {
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("content-type")).toBe("audio/wav");
    expect(replayed.headers.get("content-disposition")).toBe(`attachment; filename=call_${leadUuid}.wav`);
  }

  it("GET /api/exports/audio/abc-123-456 -o call_recording.wav downloads the recording", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" \
  http://localhost:8000/api/exports/audio/abc-123-456 \
  -o call_recording.wav`);
    expectRecordingHeaders(replayed);
    expect(new Uint8Array(await fileIn(replayed, "call_recording.wav"))).toEqual(recording);
  });

  it("GET /api/exports/audio/abc-123-456 | ffplay - streams it to the player", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" \
  http://localhost:8000/api/exports/audio/abc-123-456 | ffplay -`);
    expectRecordingHeaders(replayed);
    expect(new Uint8Array(await fileIn(replayed, "ffplay-input.bin"))).toEqual(recording);
  });

  it("GET /api/exports/transcript/abc-123-456 -o transcript.txt writes one line per turn", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" \
  http://localhost:8000/api/exports/transcript/abc-123-456 \
  -o transcript.txt`);
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(replayed.headers.get("content-disposition")).toBe(`attachment; filename=transcript_${leadUuid}.txt`);
    const lines = (await fileIn(replayed, "transcript.txt")).toString("utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(TRANSCRIPT.length);
    for (const line of lines) expect(line).toMatch(FORMATS.transcriptLine);
    expect(lines.map((line) => line.replace(/^\[[^\]]+\] /, ""))).toEqual([
      "Agent: Allô, bonjour Monsieur Dupont. Je suis Julie de TechCorp.",
      "Contact: Oui bonjour.",
      "Agent: Seriez-vous disponible pour une démo gratuite de 15 minutes ?",
      "Contact: Pourquoi pas, de quoi s'agit-il exactement ?",
    ]);
  });

  it("GET /api/exports/transcript/abc-123-456?format=json | jq '.' prints the transcript object", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" \
  "http://localhost:8000/api/exports/transcript/abc-123-456?format=json" | jq '.'`);
    const transcript = expectShape(TranscriptJson, jsonOf(replayed));
    expect(transcript).toMatchObject({ call_uuid: leadUuid, duration: 127, sentiment: "positive" });
    expect(transcript.transcription.split("\n")[0]).toMatch(FORMATS.transcriptLine);
    expect(transcript.transcription).toContain("Agent: Allô, bonjour Monsieur Dupont.");
  });

  it("GET /api/exports/summary/42 | jq '.' prints the report", async () => {
    const replayed = await replay(doc`curl -H "X-API-Key: mypassword" \
  http://localhost:8000/api/exports/summary/42 | jq '.'`);
    const summary = expectShape(Summary, jsonOf(replayed));
    expect(summary).toMatchObject({
      campaign: { id: campaign, name: "Prospection Q1 2025", scenario: "scenario_finance_crypto", status: "running" },
      summary: {
        total_calls: 5,
        completed_calls: 3,
        completion_rate: "60.0%",
        results: { lead: 1, not_interested: 1, callback: 1, no_answer: 0, failed: 0, wrong_number: 0 },
        conversion_rate: "33.3%",
        average_duration: "77.5s",
        date_range: { completed: null },
      },
    });
    expect(summary.summary.date_range.started).not.toBeNull();
  });
});
