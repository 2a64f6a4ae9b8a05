import { createHash, randomBytes } from "node:crypto";
import {
  BenchFailure,
  checkedRequest,
  expectOk,
  type Figures,
  printTable,
  runBench,
  seededDatabase,
  startBenchEdge,
  timeSteps,
  withClient,
} from "./support.js";

/**
 * `npm run bench:chat`: Botlive on the edge in workerd, rules mode (no LLM configured), against a fresh
 * embedded database. (a) GET /botlive/health, the baseline: same worker, same middleware, no engine;
 * (b) POST /botlive/message, a whole turn (conversation upsert, slot filling, order and messages written in one
 * transaction); (c) POST /botlive/message/stream, time to the first `token` event and to `done`.
 * Botlive allows 300 messages a minute per API key, so the measured requests rotate over enough keys.
 */
const WARM_UP = 30;
const REQUESTS = 600;
const STREAMS = 100;
const CONCURRENCY = 10;
const MESSAGES_PER_KEY = 250;

type Bench = { edgeUrl: string; orgId: string; keys: string[] };

async function main(): Promise<void> {
  const database = await seededDatabase("embedded");
  const keyCount = Math.ceil((REQUESTS + WARM_UP + STREAMS + 2) / MESSAGES_PER_KEY);
  const keys = await createApiKeys(database.url, database.orgId, keyCount);
  const bench: Bench = { edgeUrl: await startBenchEdge(database.url), orgId: database.orgId, keys };
  console.log(`database: ${database.label}`);
  const health = await measure("(a) GET /botlive/health (baseline)", () => fetch(`${bench.edgeUrl}/botlive/health`));
  const message = await measure("(b) POST /botlive/message (rules:v1)", messageRequest(bench, "/botlive/message"));
  const stream = await timeToFirstToken(bench);
  printTable(
    ["scenario", "req/s", "p50 ms", "p99 ms"],
    [health, message].map((row) => [
      row.label,
      row.requestsPerSecond.toFixed(0),
      row.p50.toFixed(2),
      row.p99.toFixed(2),
    ]),
  );
  console.log(
    `\nratio (b)/(a): req/s ${(message.requestsPerSecond / health.requestsPerSecond).toFixed(2)}, ` +
      `p99 ${(message.p99 / health.p99).toFixed(2)}`,
  );
  console.log(`\n(c) POST /botlive/message/stream, ${STREAMS} streams one at a time`);
  printTable(
    ["measure", "p50 ms", "p99 ms"],
    [
      ["time to first token", stream.firstToken.p50.toFixed(2), stream.firstToken.p99.toFixed(2)],
      ["time to done", stream.done.p50.toFixed(2), stream.done.p99.toFixed(2)],
      ["baseline GET /botlive/health", health.p50.toFixed(2), health.p99.toFixed(2)],
    ],
  );
}

/** API keys inserted as the identity service stores them: only the SHA-256 of the secret. */
async function createApiKeys(databaseUrl: string, orgId: string, count: number): Promise<string[]> {
  const secrets = Array.from({ length: count }, () => `sb_live_${randomBytes(24).toString("base64url")}`);
  await withClient(databaseUrl, async (client) => {
    for (const [index, secret] of secrets.entries()) {
      const hash = createHash("sha256").update(secret).digest("hex");
      await client.query("insert into api_keys (org_id, name, prefix, key_hash) values ($1, $2, $3, $4)", [
        orgId,
        `bench ${index}`,
        secret.slice(0, 12),
        hash,
      ]);
    }
  });
  return secrets;
}

let sent = 0;
/** A new customer each time, ordering a product: each turn opens a conversation and an order. */
function messageRequest(bench: Bench, path: string): () => Promise<Response> {
  return () => {
    const index = sent++;
    const key = bench.keys[Math.floor(index / MESSAGES_PER_KEY)];
    if (!key) throw new BenchFailure("ran out of API keys");
    return fetch(`${bench.edgeUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({
        company_id: bench.orgId,
        user_id: `+22507${String(index).padStart(8, "0")}`,
        message: "Je veux commander des lingettes, je suis à Cocody",
      }),
    });
  };
}

async function measure(label: string, request: () => Promise<Response>): Promise<Figures & { label: string }> {
  const step = checkedRequest(label, request, expectOk);
  await timeSteps(step, { count: 1 });
  await timeSteps(step, { count: WARM_UP, concurrency: CONCURRENCY });
  return { label, ...(await timeSteps(step, { count: REQUESTS, concurrency: CONCURRENCY })) };
}

/** Reads each SSE response as it arrives, noting when the first `token` event and the `done` event come. */
async function timeToFirstToken(bench: Bench): Promise<{ firstToken: Figures; done: Figures }> {
  const request = messageRequest(bench, "/botlive/message/stream");
  const firstTokens: number[] = [];
  const dones: number[] = [];
  for (let index = 0; index < STREAMS; index++) {
    const started = performance.now();
    const response = await request();
    if (!response.ok || !response.body) throw new BenchFailure(`stream answered ${response.status}`);
    const decoder = new TextDecoder();
    let text = "";
    let firstToken = Number.NaN;
    for await (const chunk of response.body) {
      text += decoder.decode(chunk, { stream: true });
      if (Number.isNaN(firstToken) && text.includes('"event":"token"')) firstToken = performance.now() - started;
    }
    if (!text.includes('"event":"done"')) throw new BenchFailure(`stream without done: ${text.slice(0, 300)}`);
    firstTokens.push(firstToken);
    dones.push(performance.now() - started);
  }
  return { firstToken: figures(firstTokens), done: figures(dones) };
}

function figures(values: number[]): Figures {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return { requests: sorted.length, requestsPerSecond: Number.NaN, p50: at(50), p99: at(99) };
}

await runBench(main);
