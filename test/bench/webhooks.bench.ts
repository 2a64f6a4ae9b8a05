import { createHmac, randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { signatureIsValid, startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";
import {
  API_KEY_HEADERS,
  API_PASSWORD,
  BenchFailure,
  printTable,
  runBench,
  seededDatabase,
  startEdgeWithoutDevTools,
  stopOnExit,
  withClient,
} from "./support.js";

/**
 * `npm run bench:webhooks`: webhook deliveries per second to a local receiver, on a throw-away stack (the worker
 * under wrangler dev, the database and its bridge in a process of their own).
 * Both paths send the same number of signed requests; no assertion, only figures.
 * - baseline: this process POSTs the same signed bodies straight to the receiver, 25 at a time (the dispatcher's
 *   batch size): what the receiver and the loopback allow without any queue;
 * - dispatcher: N pending deliveries are queued in Postgres for the demo organisation's webhook, one replay
 *   kicks its WebhookDispatcher Durable Object, and the clock runs until the receiver has them all and every row
 *   is `delivered` (claims with SKIP LOCKED, signing, sending, recording each outcome).
 * Env: WEBHOOK_BENCH_DELIVERIES (default 500).
 */

const DELIVERIES = Number(process.env.WEBHOOK_BENCH_DELIVERIES ?? 500);
const BASELINE_CONCURRENCY = 25;
const SETTLE_TIMEOUT_MS = 180_000;

type Phase = { name: string; deliveries: number; seconds: number };

async function main(): Promise<void> {
  const database = await seededDatabase("scratch", { ownProcess: true });
  if (!database.wsProxy) throw new BenchFailure("the database process did not start its bridge");
  const edgeUrl = await startEdgeWithoutDevTools({
    DATABASE_URL: database.url,
    DB_WS_PROXY: database.wsProxy,
    JWT_SECRET: randomBytes(36).toString("base64url"),
    API_PASSWORD,
    ENVIRONMENT: "development",
    DEFAULT_ORG_SLUG: "demo",
    WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
  });
  const receiver = await startWebhookReceiver();
  stopOnExit(receiver.close);
  console.log(`webhooks bench: ${DELIVERIES} deliveries, database ${database.label}, edge ${edgeUrl}`);

  // The baseline runs before and after, so a machine busy with the stack's start shows as a gap between the two.
  const before = await directBaseline(receiver, "before");
  receiver.received.length = 0;
  const dispatcher = await dispatcherRun(edgeUrl, database.url, receiver);
  const after = await directBaseline(receiver, "after");

  printTable(
    ["path", "deliveries", "seconds", "deliveries/s"],
    [before, dispatcher, after].map((phase) => [
      phase.name,
      String(phase.deliveries),
      phase.seconds.toFixed(2),
      (phase.deliveries / phase.seconds).toFixed(0),
    ]),
  );
}

/** Signed POSTs from this process straight to the receiver: no database, no Durable Object. */
async function directBaseline(receiver: WebhookReceiver, when: string): Promise<Phase> {
  const secret = "whsec_bench";
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < DELIVERIES) {
      const index = next++;
      const body = JSON.stringify({ event: "order_completed", timestamp: new Date().toISOString(), data: { index } });
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
      const response = await fetch(receiver.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-switchboard-signature": `t=${t},v1=${v1}` },
        body,
      });
      if (!response.ok) throw new BenchFailure(`receiver answered ${response.status}`);
      await response.text();
    }
  };
  await Promise.all(Array.from({ length: BASELINE_CONCURRENCY }, worker));
  return { name: `baseline: direct signed fetch loop (${when})`, deliveries: DELIVERIES, seconds: elapsed(started) };
}

/** Queues N deliveries, kicks the organisation's dispatcher, and times until all are delivered. */
async function dispatcherRun(edgeUrl: string, databaseUrl: string, receiver: WebhookReceiver): Promise<Phase> {
  const { webhookId, secret } = await registerWebhook(edgeUrl, receiver.url);
  const kickId = await withClient(databaseUrl, async (client) => {
    await client.query(
      `insert into webhook_deliveries (org_id, webhook_id, event, payload, idempotency_key, status, next_attempt_at)
       select w.org_id, w.id, 'order_completed', jsonb_build_object('user_id', '+2250700000000', 'index', i),
         'bench:' || i, 'pending', now() + interval '1 hour'
       from webhooks w, generate_series(1, $2::int) as i where w.id = $1`,
      [webhookId, DELIVERIES],
    );
    // Due all at once, when the kick comes.
    await client.query("update webhook_deliveries set next_attempt_at = now() where webhook_id = $1", [webhookId]);
    const { rows } = await client.query<{ id: string }>(
      "select id from webhook_deliveries where webhook_id = $1 limit 1",
      [webhookId],
    );
    return rows[0]?.id ?? "";
  });
  const started = performance.now();
  await replay(edgeUrl, kickId);
  await waitFor(() => receiver.received.length >= DELIVERIES, "the receiver to get every delivery");
  await waitForDelivered(databaseUrl, webhookId);
  const seconds = elapsed(started);
  const bad = receiver.received.filter((hook) => !signatureIsValid(secret, hook)).length;
  if (bad > 0) throw new BenchFailure(`${bad} deliveries had an invalid signature`);
  return { name: "WebhookDispatcher (Postgres queue, DO alarm)", deliveries: receiver.received.length, seconds };
}

async function registerWebhook(edgeUrl: string, url: string): Promise<{ webhookId: string; secret: string }> {
  const result = await graphqlCall<{ registerWebhook: { data?: { secret: string; webhook: { id: string } } } }>(
    edgeUrl,
    `mutation ($input: RegisterWebhookInput!) {
      registerWebhook(input: $input) { ... on MutationRegisterWebhookSuccess { data { secret webhook { id } } } }
    }`,
    { input: { url, events: ["ORDER_COMPLETED"] } },
  );
  const data = result.registerWebhook.data;
  if (!data) throw new BenchFailure("registration failed");
  const webhookId = Buffer.from(data.webhook.id, "base64").toString("utf8").split(":")[1] ?? "";
  return { webhookId, secret: data.secret };
}

async function replay(edgeUrl: string, deliveryId: string): Promise<void> {
  const id = Buffer.from(`WebhookDelivery:${deliveryId}`).toString("base64");
  await graphqlCall(edgeUrl, "mutation ($id: ID!) { replayWebhookDelivery(id: $id) { __typename } }", { id });
}

async function graphqlCall<T>(edgeUrl: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${edgeUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...API_KEY_HEADERS },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data || body.errors) throw new BenchFailure(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function waitForDelivered(databaseUrl: string, webhookId: string): Promise<void> {
  await withClient(databaseUrl, async (client) => {
    await waitFor(async () => {
      const { rows } = await client.query<{ left: number }>(
        "select count(*)::int as left from webhook_deliveries where webhook_id = $1 and status <> 'delivered'",
        [webhookId],
      );
      return rows[0]?.left === 0;
    }, "every delivery to be recorded as delivered");
  });
}

async function waitFor(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new BenchFailure(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}

await runBench(main);
