import { performance } from "node:perf_hooks";
import { drizzle } from "drizzle-orm/node-postgres";
import { batchDashboard } from "../../edge/src/batches/dashboard.js";
import type { Database } from "../../edge/src/db/client.js";
import { insertCalls } from "./call-fixtures.js";
import {
  API_KEY_HEADERS,
  BenchFailure,
  checkedRequest,
  type Figures,
  printTable,
  runBench,
  seededDatabase,
  startBenchEdge,
  timeSteps,
  withClient,
} from "./support.js";

/**
 * `npm run bench:speechai`: SpeechAI's `GET /api/v1/dashboard/overview` (and `/dashboard/stats`) on an account
 * with 100,000 calls in 10 batches, through wrangler dev, while another account of the organisation holds
 * 100,000 more calls (a shared table, as in production). Baselines in the same run: `GET /api/v1/use-cases`
 * (authentication and routing, no aggregate) and the overview of an account without calls. The aggregates alone,
 * over one open connection, show the database's share.
 */
const BATCHES = 10;
const CALLS_PER_BATCH = 10_000;
const WARM_UP = 20;
const REQUESTS = 200;
const DIRECT_QUERIES = 50;

type Row = Figures & { label: string };
type Account = { id: string; code: string };

async function main(): Promise<void> {
  const database = await seededDatabase("scratch");
  console.log(`database: ${database.label}`);
  const { big, empty } = await insertAccounts(database.url, database.orgId);
  const edgeUrl = await startBenchEdge(database.url);
  const get = (path: string) => () => fetch(`${edgeUrl}/api/v1${path}`, { headers: API_KEY_HEADERS });
  await checkTotal(edgeUrl, big.code);
  const calls = (BATCHES * CALLS_PER_BATCH).toLocaleString("en");
  const rows: Row[] = [
    await sequential("GET /use-cases (baseline)", get("/use-cases")),
    await sequential(
      "GET /dashboard/overview, account without calls",
      get(`/dashboard/overview?account_id=${empty.code}`),
    ),
    await sequential(`GET /dashboard/overview, ${calls} calls`, get(`/dashboard/overview?account_id=${big.code}`)),
    await sequential(`GET /dashboard/stats, ${calls} calls`, get(`/dashboard/stats?account_id=${big.code}`)),
    await directQuery(database.url, database.orgId, big.id),
  ];
  console.log(`\n${WARM_UP} warm-up requests each, then ${REQUESTS} one at a time\n`);
  printTable(
    ["scenario", "requests", "req/s", "p50 ms", "p99 ms"],
    rows.map((row) => [
      row.label,
      String(row.requests),
      row.requestsPerSecond.toFixed(0),
      row.p50.toFixed(2),
      row.p99.toFixed(2),
    ]),
  );
}

/** The measured account (10 batches of calls), an account without calls, and another account's 100,000 calls. */
async function insertAccounts(databaseUrl: string, orgId: string): Promise<{ big: Account; empty: Account }> {
  return withClient(databaseUrl, async (client) => {
    const insertAccount = async (code: string): Promise<Account> => {
      const { rows } = await client.query<{ id: string }>(
        `insert into accounts (org_id, code, name, credit_balance) values ($1, $2, $2, 100000) returning id`,
        [orgId, code],
      );
      return { id: rows[0]?.id ?? "", code };
    };
    const agent = await client.query<{ id: string }>(
      "select id from agents where org_id = $1 and slug = 'debt_collection'",
      [orgId],
    );
    const agentId = agent.rows[0]?.id;
    const started = performance.now();
    await client.query("select setseed(0.42)");
    const fill = async (account: Account, label: string) => {
      for (let index = 0; index < BATCHES; index++) {
        const { rows } = await client.query<{ id: string }>(
          `insert into campaigns (org_id, account_id, agent_id, source, name, status, batch_code, use_case)
           values ($1, $2, $3, 'speechai', $4, $5, $6, 'debt_collection') returning id`,
          [
            orgId,
            account.id,
            agentId,
            `${label} ${index}`,
            index % 3 ? "completed" : "running",
            `batch-${label}-${index}`,
          ],
        );
        const campaignId = rows[0]?.id ?? "";
        await insertCalls(client, { orgId, campaignId, agentId, accountId: account.id }, CALLS_PER_BATCH);
      }
    };
    const big = await insertAccount("bench_big");
    await fill(big, "big");
    await fill(await insertAccount("bench_other"), "other");
    await client.query("vacuum analyze calls");
    await client.query("vacuum analyze campaigns");
    console.log(
      `inserted ${2 * BATCHES * CALLS_PER_BATCH} calls in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return { big, empty: await insertAccount("bench_empty") };
  });
}

async function checkTotal(edgeUrl: string, code: string): Promise<void> {
  const response = await fetch(`${edgeUrl}/api/v1/dashboard/overview?account_id=${code}`, { headers: API_KEY_HEADERS });
  const body = (await response.json()) as { jobs?: { total?: number } };
  const expected = BATCHES * CALLS_PER_BATCH;
  if (body.jobs?.total !== expected) {
    throw new BenchFailure(`overview counted ${JSON.stringify(body.jobs)} jobs, expected ${expected}`);
  }
}

async function sequential(label: string, request: () => Promise<Response>): Promise<Row> {
  const step = checkedRequest(label, request);
  await timeSteps(step, { count: WARM_UP });
  return { label, ...(await timeSteps(step, { count: REQUESTS })) };
}

/** The overview's two aggregates over an already-open connection: the database's share of a request. */
async function directQuery(databaseUrl: string, orgId: string, accountId: string): Promise<Row> {
  return withClient(databaseUrl, async (client) => {
    // The query builder is the same over node-postgres; only the driver differs from the Worker's.
    const db = drizzle(client) as unknown as Database;
    const step = async () => {
      await batchDashboard(db, orgId, { accountId });
    };
    await timeSteps(step, { count: 5 });
    return { label: "the aggregates alone, open connection", ...(await timeSteps(step, { count: DIRECT_QUERIES })) };
  });
}

await runBench(main);
