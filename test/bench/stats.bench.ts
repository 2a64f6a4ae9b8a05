import { performance } from "node:perf_hooks";
import { drizzle } from "drizzle-orm/node-postgres";
import type { Database } from "../../edge/src/db/client.js";
import { loadCampaignFacts } from "../../edge/src/stats/facts.js";
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
 * `npm run bench:stats`: MiniBotPanel statistics on a campaign of 100,000 calls, through wrangler dev, against
 * the embedded database (or a throw-away database on DATABASE_URL's server). The calls table also holds
 * 200,000 calls of 20 other campaigns, so the planner faces a shared table, not one campaign. Figures:
 * - full stats: sequential requests, p50/p99, beside GET / and the same endpoint on a campaign without calls
 *   (what a request costs before any counting: connection, authentication, lookup);
 * - /live: requests per second at concurrency 8 for 10 s (served from the 5 s cache most of the time);
 * - the aggregate statement alone, over one open connection, and its EXPLAIN ANALYZE.
 */
const CALLS = 100_000;
/** Calls of other campaigns sharing the table, as in any real deployment. */
const OTHER_CAMPAIGNS = 20;
const OTHER_CALLS_EACH = 10_000;
const WARM_UP = 20;
const SEQUENTIAL_REQUESTS = 200;
const CONCURRENCY = 8;
const THROUGHPUT_SECONDS = 10;
const DIRECT_QUERIES = 50;

type Row = Figures & { label: string; mode: string };

async function main(): Promise<void> {
  const database = await seededDatabase("scratch");
  console.log(`database: ${database.label}`);
  const campaigns = await insertCampaigns(database.url, database.orgId);
  const edgeUrl = await startBenchEdge(database.url);

  const get = (path: string) => () => fetch(`${edgeUrl}${path}`, { headers: API_KEY_HEADERS });
  const full = `/api/stats/campaign/${campaigns.big.number}`;
  const rows: Row[] = [
    await sequential("GET / (baseline)", get("/")),
    await sequential("GET stats, campaign without calls", get(`/api/stats/campaign/${campaigns.empty.number}`)),
    await sequential(`GET stats, ${CALLS.toLocaleString("en")} calls`, get(full)),
    await sequential(`GET /live, ${CALLS.toLocaleString("en")} calls`, get(`${full}/live`)),
    await concurrent("GET / (baseline)", get("/")),
    await concurrent(`GET /live, ${CALLS.toLocaleString("en")} calls`, get(`${full}/live`)),
  ];
  const direct = await directQuery(database.url, database.orgId, campaigns.big.number);
  rows.push(direct.row);
  printRows(rows);
  console.log(`\nEXPLAIN ANALYZE of the full-stats statement (${CALLS.toLocaleString("en")} calls):\n`);
  console.log(direct.plan);
}

type Inserted = { id: string; number: number };

/** In the demo organisation: a running campaign of CALLS calls, one without calls, and the other campaigns. */
async function insertCampaigns(databaseUrl: string, orgId: string): Promise<{ big: Inserted; empty: Inserted }> {
  return withClient(databaseUrl, async (client) => {
    const refs = await client.query<{ account_id: string; agent_id: string }>(
      `select (select id from accounts where org_id = $1 and is_default) as account_id,
              (select id from agents where org_id = $1 and slug = 'scenario_finance_crypto') as agent_id`,
      [orgId],
    );
    const { account_id: accountId, agent_id: agentId } = refs.rows[0] ?? {};
    const insertCampaign = async (name: string, status: string) => {
      const { rows } = await client.query<{ id: string; number: string }>(
        `insert into campaigns (org_id, account_id, agent_id, source, name, status, created_at, started_at)
         values ($1, $2, $3, 'minibotpanel', $4, $5, now() - interval '7 hours', now() - interval '6 hours')
         returning id, number`,
        [orgId, accountId, agentId, name, status],
      );
      const row = rows[0];
      if (!row) throw new Error("campaign not inserted");
      return { id: row.id, number: Number(row.number) };
    };
    const big = await insertCampaign("Bench 100k", "running");
    const empty = await insertCampaign("Bench empty", "running");
    const started = performance.now();
    await client.query("select setseed(0.42)");
    await insertCalls(client, { orgId, campaignId: big.id, agentId, accountId }, CALLS);
    for (let index = 0; index < OTHER_CAMPAIGNS; index++) {
      const campaign = await insertCampaign(`Bench other ${index}`, index % 2 ? "completed" : "running");
      await insertCalls(client, { orgId, campaignId: campaign.id, agentId, accountId }, OTHER_CALLS_EACH);
    }
    await client.query("vacuum analyze calls");
    const inserted = CALLS + OTHER_CAMPAIGNS * OTHER_CALLS_EACH;
    console.log(`inserted ${inserted} calls in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { big, empty };
  });
}

/** Checks one response, warms up, then `SEQUENTIAL_REQUESTS` one after another. */
async function sequential(label: string, request: () => Promise<Response>): Promise<Row> {
  const step = checkedRequest(label, request);
  await timeSteps(step, { count: WARM_UP });
  return { label, mode: "sequential", ...(await timeSteps(step, { count: SEQUENTIAL_REQUESTS })) };
}

/** `CONCURRENCY` loops for `THROUGHPUT_SECONDS`. */
async function concurrent(label: string, request: () => Promise<Response>): Promise<Row> {
  const step = checkedRequest(label, request);
  await timeSteps(step, { count: WARM_UP });
  const figures = await timeSteps(step, { seconds: THROUGHPUT_SECONDS, concurrency: CONCURRENCY });
  return { label, mode: `concurrency ${CONCURRENCY}`, ...figures };
}

/** The statement behind full stats, over one already-open connection: the database's share of a request. */
async function directQuery(
  databaseUrl: string,
  orgId: string,
  campaignNumber: number,
): Promise<{ row: Row; plan: string }> {
  return withClient(databaseUrl, async (client) => {
    let captured: { query: string; params: unknown[] } | undefined;
    const logger = { logQuery: (query: string, params: unknown[]) => (captured = { query, params }) };
    // The query builder is the same over node-postgres; only the driver differs from the Worker's.
    const db = drizzle(client, { logger }) as unknown as Database;
    const run = () => loadCampaignFacts(db, orgId, { number: campaignNumber });
    const facts = await run();
    if (facts.total !== CALLS) throw new BenchFailure(`expected ${CALLS} calls, counted ${facts.total}`);
    const step = async () => {
      await run();
    };
    await timeSteps(step, { count: 5 });
    const figures = await timeSteps(step, { count: DIRECT_QUERIES });
    const row = { label: "full-stats SQL, open connection", mode: "sequential", ...figures };
    if (!captured) throw new Error("no statement captured");
    const { rows } = await client.query<{ "QUERY PLAN": string }>(
      `explain (analyze, buffers, costs off) ${captured.query}`,
      captured.params,
    );
    return { row, plan: rows.map((line) => line["QUERY PLAN"]).join("\n") };
  });
}

function printRows(rows: Row[]): void {
  console.log(
    `\n${WARM_UP} warm-up requests each; sequential = ${SEQUENTIAL_REQUESTS} requests one at a time; ` +
      `concurrency ${CONCURRENCY} for ${THROUGHPUT_SECONDS} s\n`,
  );
  const header = ["scenario", "mode", "requests", "req/s", "p50 ms", "p99 ms"];
  const cells = rows.map((row) => [
    row.label,
    row.mode,
    String(row.requests),
    row.requestsPerSecond.toFixed(0),
    row.p50.toFixed(2),
    row.p99.toFixed(2),
  ]);
  printTable(header, cells, 2);
}

await runBench(main);
