import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { serve } from "@hono/node-server";
import { numberFor, type PersonaName } from "../../media-node/src/emulator/personas.js";
import { readMediaNodeEnv } from "../../media-node/src/env.js";
import { createMediaNode } from "../../media-node/src/server.js";
import { spawnGroup, stopGroup, waitForHttp } from "../../schema/src/local/stack.js";
import { freePort } from "../support/ports.js";
import { HOOK_HEADER, HookTimer, type HookTiming, hookRows, ms, percentile } from "./hook-timing.js";
import {
  API_KEY_HEADERS,
  API_PASSWORD,
  BenchFailure,
  checkedRequest,
  printTable,
  runBench,
  seededDatabase,
  startEdgeWithoutDevTools,
  stopOnExit,
  timeSteps,
  withClient,
} from "./support.js";

/**
 * `npm run bench:calls`: campaigns dialled for real on a throw-away stack — the worker under wrangler dev
 * (dialer Durable Objects, events API, conversation engine), the jambonz emulator at a high speed factor and
 * the database (embedded PGlite, unless DATABASE_URL, and the worker's WebSocket bridge) each in a process of
 * their own, and the media node in this one, where its time per hook is measured. Phases, each on fresh
 * campaigns:
 * - baseline: one campaign of 10 calls, 2 at a time (refill latency at no load);
 * - sustained: one campaign of 500 calls, max_concurrent_calls 50 (the documented maximum): ~450 refills;
 * - fan-out (only when named in CALLS_BENCH_PHASES): 10 campaigns × 50 calls, 50 each, so up to 500 calls are
 *   in flight at once; the campaigns start 12 s apart and dial one call a second each, and holding 500 calls
 *   on the line at that pace needs long calls: run it slowed down (CALLS_BENCH_SPEED=0.1, calls of ~5 min). Each edge request holds its own database connection: embedded PGlite takes 1,000, a
 *   default Postgres (max_connections 100) runs out — and with it every other user of that server.
 * Figures per phase: refill latency (a call's end → the next dial of the same campaign), the media node's own
 * time per jambonz hook (minus its wait on the edge's /turn), calls/s and wall time; GET / as a baseline.
 * The speed is ×30, not the tests' ×120: the emulator counts the media node's AMD wait (40 s) in simulated
 * time, so at ×120 a greeting /turn slower than 333 ms real ends the call unanswered and the figures describe
 * broken calls ("persona's result" shows it).
 * Env: CALLS_BENCH_SPEED (emulator speed, default 30), CALLS_BENCH_PHASES (e.g. "baseline,sustained"),
 * CALLS_BENCH_TIMEOUT_MINUTES (per phase, default 10),
 * DATABASE_URL (a throw-away database on that server instead of embedded PGlite).
 * "loop delay" is this process's event-loop delay while the phase ran: a hook's own time includes waiting for
 * the loop, which only the media node (and this bench's bookkeeping) uses.
 */
const SPEED = Number(process.env.CALLS_BENCH_SPEED ?? 30);
const CONTACTS = 500;
const SCENARIO = "scenario_test_demo";
const PHASE_TIMEOUT_MS = Number(process.env.CALLS_BENCH_TIMEOUT_MINUTES ?? 10) * 60_000;
const POLL_MS = 250;

/**
 * `batchSize`: calls a campaign's dialer places per tick (a tick a second while it ramps up). `startSpacingMs`:
 * campaigns start this far apart, so the lines fill at the pace a trunk's calls-per-second limit would allow.
 */
type Phase = {
  name: string;
  label: string;
  campaigns: number;
  callsEach: number;
  maxConcurrent: number;
  batchSize: number;
  startSpacingMs: number;
};
const PHASES: Phase[] = [
  {
    name: "baseline",
    label: "1 campaign × 10 calls, 2 concurrent",
    campaigns: 1,
    callsEach: 10,
    maxConcurrent: 2,
    batchSize: 20,
    startSpacingMs: 0,
  },
  {
    name: "sustained",
    label: "1 campaign × 500 calls, 50 concurrent",
    campaigns: 1,
    callsEach: 500,
    maxConcurrent: 50,
    batchSize: 20,
    startSpacingMs: 0,
  },
  {
    name: "fanout",
    label: "10 campaigns × 50 calls, 50 concurrent each, started 12 s apart, 1 dial/s each",
    campaigns: 10,
    callsEach: 50,
    maxConcurrent: 50,
    // About 4 dials a second at most in all: the machine's whole stack sustains ~4.8 calls/s (see README).
    batchSize: 1,
    startSpacingMs: 12_000,
  },
];

/** Mostly people who answer and talk; a tenth call back and a tenth are machines. */
const PERSONA_MIX: PersonaName[] = [
  "interested",
  "not_interested",
  "interested",
  "not_interested",
  "interested",
  "not_interested",
  "interested",
  "not_interested",
  "callback",
  "voicemail",
];

/** Everything measured inside this process while a phase runs; reset between phases. */
const collected = { logLines: 0 };
const timer = new HookTimer();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

async function main(): Promise<void> {
  const database = await seededDatabase("scratch", { ownProcess: true });
  console.log(`database: ${database.label}, emulator speed ×${SPEED}`);
  const stack = await startStack(database.url, database.wsProxy);
  const contactNumbers = await insertContacts(database.url, database.orgId);

  const baseline = await timeSteps(
    checkedRequest("GET /", () => fetch(`${stack.edgeUrl}/`, { headers: API_KEY_HEADERS })),
    { count: 50 },
  );
  const wanted = (process.env.CALLS_BENCH_PHASES ?? "baseline,sustained").split(",");
  console.log(
    `GET / (baseline, ${baseline.requests} sequential): p50 ${ms(baseline.p50)} ms, p99 ${ms(baseline.p99)} ms`,
  );
  // Each phase's figures are printed as soon as it ends, so a later phase's failure loses only its own.
  for (const phase of PHASES.filter((candidate) => wanted.includes(candidate.name))) {
    printResults(await runPhase(stack.edgeUrl, database.url, phase, contactNumbers));
  }
}

type Stack = { edgeUrl: string };

/**
 * Emulator and media node here, the worker as wrangler dev runs it (without its DevTools proxy, see
 * startEdgeWithoutDevTools); the media node's port is known before the edge starts.
 */
async function startStack(databaseUrl: string, wsProxyUrl: string | undefined): Promise<Stack> {
  const quiet = (line: string) => {
    if (collected.logLines++ < 5) console.error(`  [log] ${line.slice(0, 300)}`);
  };
  const emulatorUrl = await startEmulatorProcess();
  const mediaNodePort = await freePort();
  const internalApiSecret = randomBytes(36).toString("base64url");
  if (!wsProxyUrl) throw new BenchFailure("the database process did not start its bridge");
  const edgeUrl = await startEdgeWithoutDevTools({
    DATABASE_URL: databaseUrl,
    DB_WS_PROXY: wsProxyUrl,
    JWT_SECRET: randomBytes(36).toString("base64url"),
    API_PASSWORD,
    ENVIRONMENT: "development",
    DEFAULT_ORG_SLUG: "demo",
    INTERNAL_API_SECRET: internalApiSecret,
    MEDIA_NODE_URL: `http://127.0.0.1:${mediaNodePort}`,
  });
  const node = createMediaNode({
    config: readMediaNodeEnv({
      MEDIA_NODE_PORT: String(mediaNodePort),
      EDGE_URL: edgeUrl,
      INTERNAL_API_SECRET: internalApiSecret,
      JAMBONZ_API_URL: emulatorUrl,
    }),
    outboxFile: null,
    retry: { baseDelayMs: 100, maxDelayMs: 2_000 },
    fetch: timer.fetch,
    log: quiet,
  });
  node.outbox.start();
  const timedApp = async (...args: Parameters<typeof node.app.fetch>): Promise<Response> => {
    const path = new URL(args[0].url).pathname;
    if (!path.startsWith("/jambonz/")) return node.app.fetch(...args);
    return timer.time(path, async () => node.app.fetch(...args));
  };
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: timedApp, hostname: "127.0.0.1", port: mediaNodePort }, () => resolve(started));
  });
  node.attach(server as Server);
  stopOnExit(async () => {
    node.outbox.stop();
    (server as Server).closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });
  return { edgeUrl };
}

/** The emulator in a process of its own: hundreds of simulated calls must not load the media node's event loop. */
async function startEmulatorProcess(): Promise<string> {
  const port = await freePort();
  const env = { EMULATOR_PORT: String(port), EMULATOR_SPEED: String(SPEED) };
  const child = spawnGroup("npx", ["tsx", "media-node/src/emulator/main.ts"], env, "ignore");
  stopOnExit(() => stopGroup(child));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, child, 30_000);
  return url;
}

/** CONTACTS contacts of the demo organisation whose numbers reach the personas of PERSONA_MIX; their legacy ids. */
async function insertContacts(databaseUrl: string, orgId: string): Promise<number[]> {
  return withClient(databaseUrl, async (client) => {
    const phones = Array.from({ length: CONTACTS }, (_, index) =>
      numberFor(PERSONA_MIX[index % PERSONA_MIX.length] ?? "interested", `+3361${String(index).padStart(7, "0")}`),
    );
    const { rows } = await client.query<{ number: string }>(
      `insert into contacts (org_id, phone, first_name, last_name)
       select $1, phone, 'Bench', 'Contact ' || ordinality from unnest($2::text[]) with ordinality as p(phone, ordinality)
       returning number`,
      [orgId, phones],
    );
    return rows.map((row) => Number(row.number)).sort((a, b) => a - b);
  });
}

type PhaseResult = {
  phase: Phase;
  calls: number;
  wallSeconds: number;
  refillFromEnd: number[];
  refillFromReceipt: number[];
  hooks: HookTiming[];
  outcomes: Record<string, number>;
  /** Calls whose result is the one their persona leads to. */
  expected: number;
  /** Edge answers ≥ 500 or unreachable, as the media node saw them: figures from such a run are suspect. */
  edgeFailures: number;
  loopDelayP99Ms: number;
  maxInFlight: number;
};

async function runPhase(edgeUrl: string, databaseUrl: string, phase: Phase, contacts: number[]): Promise<PhaseResult> {
  const campaigns: number[] = [];
  for (let index = 0; index < phase.campaigns; index++) {
    const contactIds = contacts.slice(index * phase.callsEach, (index + 1) * phase.callsEach);
    campaigns.push(await createCampaign(edgeUrl, `${phase.name} ${index + 1}`, contactIds, phase));
  }
  timer.reset();
  loopDelay.reset();
  loopDelay.enable();
  const started = performance.now();
  const completion = waitUntilCompleted(databaseUrl, campaigns);
  await startCampaigns(edgeUrl, campaigns, phase.startSpacingMs);
  const maxInFlight = await completion;
  const wallSeconds = (performance.now() - started) / 1000;
  loopDelay.disable();
  const measured = await measureRefills(databaseUrl, campaigns);
  const result: PhaseResult = {
    phase,
    calls: phase.campaigns * phase.callsEach,
    wallSeconds,
    ...measured,
    hooks: timer.hooks,
    edgeFailures: timer.edgeFailures,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    maxInFlight,
  };
  console.log(
    `${phase.label}: ${result.calls} calls in ${wallSeconds.toFixed(1)} s, ${result.expected} with the persona's ` +
      `result, edge failures ${result.edgeFailures}, outcomes ${JSON.stringify(result.outcomes)}`,
  );
  return result;
}

/** All at once, or one every `spacingMs`. */
async function startCampaigns(edgeUrl: string, campaigns: number[], spacingMs: number): Promise<void> {
  if (spacingMs === 0) {
    await Promise.all(campaigns.map((campaign) => campaignRequest(edgeUrl, "POST", `/${campaign}/start`)));
    return;
  }
  for (const [index, campaign] of campaigns.entries()) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, spacingMs));
    await campaignRequest(edgeUrl, "POST", `/${campaign}/start`);
  }
}

async function createCampaign(edgeUrl: string, name: string, contactIds: number[], phase: Phase) {
  const response = await fetch(`${edgeUrl}/api/campaigns/`, {
    method: "POST",
    headers: { ...API_KEY_HEADERS, "content-type": "application/json" },
    body: JSON.stringify({
      name: `Bench calls ${name}`,
      contact_ids: contactIds,
      scenario: SCENARIO,
      max_concurrent_calls: phase.maxConcurrent,
      batch_size: phase.batchSize,
      retry_enabled: false,
    }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new BenchFailure(`create campaign: HTTP ${response.status}: ${text}`);
  return (JSON.parse(text) as { id: number }).id;
}

async function campaignRequest(edgeUrl: string, method: string, path: string): Promise<unknown> {
  const response = await fetch(`${edgeUrl}/api/campaigns${path}`, { method, headers: API_KEY_HEADERS });
  const text = await response.text();
  if (!response.ok) throw new BenchFailure(`${method} /api/campaigns${path}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Polls the campaigns until all are completed; returns the most calls seen on the line at once. */
async function waitUntilCompleted(databaseUrl: string, campaigns: number[]): Promise<number> {
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  let maxInFlight = 0;
  return withClient(databaseUrl, async (client) => {
    // On Ctrl-C the database is dropped while this loop still holds its connection: not worth a crash.
    client.on("error", () => {});
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ in_flight: number }>(
        `select count(*)::int as in_flight from calls c join campaigns k on k.id = c.campaign_id
         where k.number = any($1::bigint[]) and c.status in ('calling', 'ringing', 'in_progress')`,
        [campaigns],
      );
      maxInFlight = Math.max(maxInFlight, rows[0]?.in_flight ?? 0);
      // Read from the database: under load the edge's own answers may fail, and that must not end the run.
      const open = await client.query<{ open: number }>(
        "select count(*)::int as open from campaigns where number = any($1::bigint[]) and status <> 'completed'",
        [campaigns],
      );
      if (open.rows[0]?.open === 0) return maxInFlight;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new BenchFailure(`campaigns ${campaigns.join(", ")} not completed after ${PHASE_TIMEOUT_MS / 1000} s`);
  });
}

/**
 * For every ended attempt: the next attempt the same campaign started at or after (a) its ended_at and (b) the
 * edge's receipt of its final status event. Ends with no later dial (the campaign's last calls) have no refill.
 */
async function measureRefills(databaseUrl: string, campaigns: number[]) {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ from_end: number | null; from_receipt: number | null }>(
      `with attempts as (
         select a.*, c.campaign_id from call_attempts a join calls c on c.id = a.call_id
         join campaigns k on k.id = c.campaign_id where k.number = any($1::bigint[])
       ), ends as (
         select a.campaign_id, a.ended_at,
           (select min(e.created_at) from call_events e
            where e.call_id = a.call_id and e.org_id = a.org_id and e.type = 'status'
              and (e.payload->>'attempt')::int = a.attempt_number
              and e.payload->>'status' not in ('calling', 'ringing', 'in_progress')) as received_at
         from attempts a where a.ended_at is not null
       )
       select
         extract(epoch from (select min(n.started_at) from attempts n
           where n.campaign_id = ends.campaign_id and n.started_at >= ends.ended_at) - ends.ended_at) * 1000 as from_end,
         extract(epoch from (select min(n.started_at) from attempts n
           where n.campaign_id = ends.campaign_id and n.started_at >= ends.received_at) - ends.received_at) * 1000
           as from_receipt
       from ends`,
      [campaigns],
    );
    const outcomes = await client.query<{ outcome: string; count: number }>(
      `select c.status || '/' || coalesce(c.result::text, '-') as outcome, count(*)::int as count
       from calls c join campaigns k on k.id = c.campaign_id where k.number = any($1::bigint[]) group by 1 order by 1`,
      [campaigns],
    );
    const expected = await client.query<{ count: number }>(
      `select count(*)::int as count from calls c join campaigns k on k.id = c.campaign_id
       join contacts ct on ct.id = c.contact_id
       where k.number = any($1::bigint[]) and c.result::text = case right(ct.phone, 1)
         when '7' then 'lead' when '8' then 'lead' when '9' then 'not_interested' when '0' then 'callback'
         when '1' then 'answering_machine' end`,
      [campaigns],
    );
    const present = (values: Array<number | null>) => values.filter((value): value is number => value !== null);
    return {
      refillFromEnd: present(rows.map((row) => (row.from_end === null ? null : Number(row.from_end)))),
      refillFromReceipt: present(rows.map((row) => (row.from_receipt === null ? null : Number(row.from_receipt)))),
      outcomes: Object.fromEntries(outcomes.rows.map((row) => [row.outcome, row.count])),
      expected: expected.rows[0]?.count ?? 0,
    };
  });
}

function printResults(result: PhaseResult): void {
  const results = [result];
  console.log("\nThroughput\n");
  printTable(
    ["phase", "calls", "persona's result", "edge 5xx", "wall s", "calls/s", "max in flight", "loop delay p99 ms"],
    results.map((result) => [
      result.phase.label,
      String(result.calls),
      String(result.expected),
      String(result.edgeFailures),
      result.wallSeconds.toFixed(1),
      (result.calls / result.wallSeconds).toFixed(1),
      String(result.maxInFlight),
      ms(result.loopDelayP99Ms),
    ]),
  );
  console.log("\nDial refill latency: a call's end → the next dial of the same campaign (target p99 < 250 ms)\n");
  printTable(
    ["phase", "measured from", "refills", "p50 ms", "p99 ms", "max ms"],
    results.flatMap((result) => [
      refillRow(result.phase.label, "call_attempts.ended_at", result.refillFromEnd),
      refillRow(result.phase.label, "final status event received", result.refillFromReceipt),
    ]),
    2,
  );
  console.log("\nMedia node's own time per jambonz hook, minus its wait on the edge's /turn (target p99 < 20 ms)\n");
  printTable(
    HOOK_HEADER,
    results.flatMap((result) => hookRows(result.phase.label, result.hooks)),
    2,
  );
}

function refillRow(label: string, from: string, values: number[]): string[] {
  return [
    label,
    from,
    String(values.length),
    ms(percentile(values, 50)),
    ms(percentile(values, 99)),
    ms(Math.max(...values)),
  ];
}

await runBench(main);
