import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type Client, createClient } from "graphql-sse";
import { signInternalRequest } from "../../schema/src/internal-signature.js";
import { ms, percentile } from "./hook-timing.js";
import {
  API_KEY_HEADERS,
  API_PASSWORD,
  BenchFailure,
  printTable,
  runBench,
  seededDatabase,
  startEdgeWithoutDevTools,
  withClient,
} from "./support.js";

/**
 * `npm run bench:subscriptions`: live GraphQL subscriptions on a throw-away stack (the worker under wrangler
 * dev, the database and its bridge in a process of their own). Per phase, N graphql-sse clients in this process
 * subscribe to callUpdated for one campaign, then the campaign's calls are reported through the signed internal
 * events API, as the media node does (calling → ringing → in_progress → completed, one request per event,
 * several calls at once): each applied event commits, then is published to the organisation's EventHub, which
 * fans it out to every subscriber. Figures:
 * - report → receipt: from sending an event's report to each subscriber receiving its callUpdated, p50/p99
 *   (includes the event's transaction; "report" is that request's own round trip, which ends about when the
 *   publish starts);
 * - deliveries/s: callUpdated messages received by all subscribers together, over the publishing window.
 * Phases: a baseline of 10 subscribers (distinct connections: one SSE request each), then 1,000 subscriptions in
 * single-connection mode over 10 streams (10 StreamSession Durable Objects, 100 operations each), then 1,000
 * distinct connections. Every subscription is a subscriber of the hub: all listen to one topic, so they are all
 * on one hub whatever HUB_SHARDS says (shards split topics, not subscribers).
 * Under the `wrangler dev` CLI, 1,000 subscribers exhaust workerd's file descriptors: its DevTools proxy opens a
 * loopback request per chunk read from any subrequest stream and leaves it in CLOSE-WAIT (see the README).
 * Env: SUBSCRIPTIONS_BENCH_PHASES (default all: "baseline,single-1000,distinct-1000"), SUBSCRIPTIONS_BENCH_CALLS
 * (default 50), SUBSCRIPTIONS_BENCH_SUBSCRIBERS (the 1,000 of the big phases), SUBSCRIPTIONS_BENCH_STREAMS (the
 * single-connection clients, default 10).
 */

type Mode = "distinct" | "single";
/** `subscribers` subscriptions over `clients` graphql-sse clients (one connection each in single mode). */
type Phase = { name: string; subscribers: number; clients: number; mode: Mode };
const MANY = Number(process.env.SUBSCRIPTIONS_BENCH_SUBSCRIBERS ?? 1_000);
const PHASES: Phase[] = [
  { name: "baseline", subscribers: 10, clients: 10, mode: "distinct" },
  {
    name: "single-1000",
    subscribers: MANY,
    clients: Number(process.env.SUBSCRIPTIONS_BENCH_STREAMS ?? 10),
    mode: "single",
  },
  { name: "distinct-1000", subscribers: MANY, clients: MANY, mode: "distinct" },
];
const DEFAULT_PHASES = PHASES.map((phase) => phase.name);
const CALLS = Number(process.env.SUBSCRIPTIONS_BENCH_CALLS ?? 50);
const STATUSES = ["calling", "ringing", "in_progress", "completed"] as const;
/** Calls reported at once, as several media-node lines would. */
const REPORTING_CONCURRENCY = 8;
/** Subscriptions opened at once while a phase sets up. */
const OPENING_CONCURRENCY = 50;
const SETTLE_TIMEOUT_MS = 120_000;
const CALL_UPDATED = `subscription ($campaignId: ID!) {
  callUpdated(campaignId: $campaignId) { callId status }
}`;

type Update = { callId: string; status: string };
type Stack = { edgeUrl: string; secret: string; orgId: string; databaseUrl: string };

await runBench(async () => {
  const wanted = process.env.SUBSCRIPTIONS_BENCH_PHASES?.split(",").map((name) => name.trim()) ?? DEFAULT_PHASES;
  const phases = PHASES.filter((phase) => wanted.includes(phase.name));
  const stack = await startStack();
  console.log(`subscriptions bench: ${CALLS} calls × ${STATUSES.length} reports per phase; edge ${stack.edgeUrl}`);
  const rows: string[][] = [];
  for (const phase of phases) rows.push(await runPhase(stack, phase));
  console.log();
  printTable(
    [
      "phase",
      "subscribers",
      "clients",
      "mode",
      "events",
      "deliveries",
      "deliveries/s",
      "report→receipt p50 ms",
      "p99 ms",
      "report p50 ms",
      "setup s",
    ],
    rows,
    4,
  );
});

async function startStack(): Promise<Stack> {
  const database = await seededDatabase("scratch", { ownProcess: true });
  const secret = randomBytes(36).toString("base64url");
  if (!database.wsProxy) throw new BenchFailure("the database process did not start its bridge");
  const edgeUrl = await startEdgeWithoutDevTools({
    DATABASE_URL: database.url,
    DB_WS_PROXY: database.wsProxy,
    JWT_SECRET: randomBytes(36).toString("base64url"),
    API_PASSWORD,
    ENVIRONMENT: "development",
    DEFAULT_ORG_SLUG: "demo",
    INTERNAL_API_SECRET: secret,
  });
  return { edgeUrl, secret, orgId: database.orgId, databaseUrl: database.url };
}

async function runPhase(stack: Stack, phase: Phase): Promise<string[]> {
  const { campaignId, callIds } = await freshCampaign(stack, CALLS);
  const campaignGlobalId = Buffer.from(`Campaign:${campaignId}`).toString("base64");
  const received = new Map<string, number[]>();
  let deliveries = 0;
  const errors: unknown[] = [];

  const setupStarted = performance.now();
  const clients = Array.from({ length: phase.clients }, () =>
    createClient({
      url: `${stack.edgeUrl}/graphql`,
      // A copy each: graphql-sse's client writes its stream token into the headers object it is given.
      headers: { ...API_KEY_HEADERS },
      singleConnection: phase.mode === "single",
      retryAttempts: 0,
    }),
  );
  const stops: Array<() => void> = [];
  for (let index = 0; index < phase.subscribers; index += OPENING_CONCURRENCY) {
    const batch = Math.min(OPENING_CONCURRENCY, phase.subscribers - index);
    for (let offset = 0; offset < batch; offset++) {
      const client = clients[(index + offset) % clients.length] as Client;
      stops.push(
        client.subscribe<{ callUpdated: Update }>(
          { query: CALL_UPDATED, variables: { campaignId: campaignGlobalId } },
          {
            next: (result) => {
              const update = result.data?.callUpdated;
              if (result.errors) errors.push(...result.errors);
              if (!update) return;
              const key = `${update.callId}/${update.status}`;
              const times = received.get(key) ?? [];
              times.push(performance.now());
              received.set(key, times);
              deliveries++;
            },
            error: (error) => errors.push(error),
            complete: () => {},
          },
        ),
      );
    }
    await waitForSubscribers(stack, campaignId, stops.length, errors);
  }
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  process.stdout.write(`${phase.name}: ${phase.subscribers} subscribed in ${setupSeconds.toFixed(1)} s; reporting… `);

  const sentAt = new Map<string, number>();
  const roundTrips: number[] = [];
  const started = performance.now();
  await inParallel(callIds, REPORTING_CONCURRENCY, async (callId) => {
    for (const status of STATUSES) {
      const key = `${Buffer.from(`Call:${callId}`).toString("base64")}/${status}`;
      const sent = performance.now();
      sentAt.set(key, sent);
      await reportStatus(stack, callId, status);
      roundTrips.push(performance.now() - sent);
    }
  });
  const expected = callIds.length * STATUSES.length * phase.subscribers;
  await until(() => deliveries >= expected || errors.length > 0, SETTLE_TIMEOUT_MS).catch((error) => {
    throw new BenchFailure(`${phase.name}: ${deliveries} of ${expected} deliveries arrived (${String(error)})`);
  });
  if (errors.length > 0) throw new BenchFailure(`${phase.name}: ${String(errors[0])}`);
  const lastReceipt = Math.max(...[...received.values()].flat());
  const seconds = (lastReceipt - started) / 1000;

  const latencies: number[] = [];
  for (const [key, times] of received) {
    const sent = sentAt.get(key);
    if (sent === undefined) throw new BenchFailure(`${phase.name}: an update nobody reported: ${key}`);
    for (const at of times) latencies.push(at - sent);
  }
  console.log(`${deliveries} deliveries in ${seconds.toFixed(1)} s`);

  for (const stop of stops) stop();
  for (const client of clients) client.dispose();
  await waitForSubscribers(stack, campaignId, 0, []);
  return [
    phase.name,
    String(phase.subscribers),
    String(phase.clients),
    phase.mode,
    String(sentAt.size),
    String(deliveries),
    (deliveries / seconds).toFixed(0),
    ms(percentile(latencies, 50)),
    ms(percentile(latencies, 99)),
    ms(percentile(roundTrips, 50)),
    setupSeconds.toFixed(1),
  ];
}

/** A draft campaign of the demo organisation with `count` pending calls (the dialer never runs it). */
async function freshCampaign(stack: Stack, count: number): Promise<{ campaignId: string; callIds: string[] }> {
  return withClient(stack.databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `with agent as (select id from agents where org_id = $1 order by created_at limit 1),
         account as (select id from accounts where org_id = $1 order by created_at limit 1)
       insert into campaigns (org_id, account_id, agent_id, name)
       select $1, account.id, agent.id, 'Subscriptions bench' from agent, account returning id`,
      [stack.orgId],
    );
    const campaignId = rows[0]?.id;
    if (!campaignId) throw new BenchFailure("the demo organisation has no agent or account");
    const calls = await client.query<{ id: string }>(
      `insert into calls (org_id, campaign_id, agent_id, account_id, to_number, status, max_attempts)
       select c.org_id, c.id, c.agent_id, c.account_id, '+3361' || lpad(n::text, 7, '0'), 'pending', 1
       from campaigns c, generate_series(1, $2::int) n where c.id = $1 returning id`,
      [campaignId, count],
    );
    return { campaignId, callIds: calls.rows.map((row) => row.id) };
  });
}

/** One status report, signed as the media node signs it. */
async function reportStatus(stack: Stack, callId: string, status: (typeof STATUSES)[number]): Promise<void> {
  const path = `/internal/v1/calls/${callId}/events`;
  const body = JSON.stringify({
    idempotency_key: `${callId}:1:status:${status}`,
    occurred_at: new Date().toISOString(),
    attempt: 1,
    jambonz_call_sid: `bench-${callId}`,
    type: "status",
    status,
    ...(status === "completed" ? { duration_ms: 1_000 } : {}),
  });
  const headers = await signInternalRequest({ secret: stack.secret, method: "POST", path, body });
  const response = await fetch(`${stack.edgeUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await response.text();
  if (response.status !== 200 || !text.includes('"applied":true')) {
    throw new BenchFailure(`report ${status} of ${callId}: ${response.status} ${text}`);
  }
}

/** Waits until the campaign's topic has `count` subscribers in the hub (so none misses the first report). */
async function waitForSubscribers(stack: Stack, campaignId: string, count: number, errors: unknown[]): Promise<void> {
  const topic = `calls:campaign:${campaignId}`;
  const path = `/internal/v1/event-hubs/${stack.orgId}/stats`;
  await until(async () => {
    if (errors.length > 0) throw new BenchFailure(`subscribing: ${JSON.stringify(errors[0])}`);
    const headers = await signInternalRequest({ secret: stack.secret, method: "GET", path, body: "" });
    const response = await fetch(`${stack.edgeUrl}${path}`, { headers });
    const stats = (await response.json()) as { topics: Record<string, number> };
    return (stats.topics[topic] ?? 0) === count;
  }, SETTLE_TIMEOUT_MS);
}

async function until(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new BenchFailure(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}
