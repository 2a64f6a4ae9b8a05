import { performance } from "node:perf_hooks";
import pg from "pg";
import { startEmbeddedDatabase } from "../../schema/src/local/embedded-db.js";
import { applyMigrations } from "../../schema/src/local/migrate.js";
import { seedDemo } from "../../schema/src/local/seed.js";
import { startThrowawayEdge } from "../support/throwaway-edge.js";

/**
 * `npm run bench`: latency and throughput of the edge in workerd, on loopback, against a fresh
 * in-memory embedded database. (a) the static `GET /`; (b) an authenticated GraphQL page of 50 contacts.
 */
const WARM_UP = 50;
const REQUESTS = 1_000;
const CONCURRENCY = 10;
const EXTRA_CONTACTS = 200;
const API_PASSWORD = "bench-password";
const CONTACTS_QUERY = "{ contacts(first: 50) { edges { node { id phone firstName lastName } } } }";

type Scenario = {
  label: string;
  request: () => Promise<Response>;
  check: (response: Response) => Promise<string | null>;
};
type Result = { label: string; requestsPerSecond: number; p50: number; p99: number };

class BenchFailure extends Error {}

const stops: Array<() => Promise<void>> = [];

async function main(): Promise<void> {
  const edgeUrl = await startStack();
  const scenarios: Scenario[] = [
    { label: "(a) GET /", request: () => fetch(`${edgeUrl}/`), check: expectOk },
    {
      label: "(b) POST /graphql contacts(first: 50)",
      request: () =>
        fetch(`${edgeUrl}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": API_PASSWORD },
          body: JSON.stringify({ query: CONTACTS_QUERY }),
        }),
      check: expectFullContactsPage,
    },
  ];
  const results: Result[] = [];
  for (const scenario of scenarios) results.push(await measure(scenario));
  printTable(results);
}

/** Same stack as `npm start`, minus the media node (not on the measured path), on throw-away state. */
async function startStack(): Promise<string> {
  const database = await startEmbeddedDatabase({});
  stops.push(database.stop);
  await applyMigrations(database.url);
  const seed = await seedDemo(database.url, { orgSlug: "demo", demoPassword: "bench-demo" });
  await addContacts(database.url, seed.orgId, EXTRA_CONTACTS);
  return startThrowawayEdge({
    databaseUrl: database.url,
    apiPassword: API_PASSWORD,
    environment: "development",
    stops,
  });
}

/** Enough contacts that every page of 50 is full. */
async function addContacts(databaseUrl: string, orgId: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `insert into contacts (org_id, phone, first_name, last_name, country)
       select $1, '+3361' || lpad(n::text, 7, '0'), 'Bench', 'Contact ' || n, 'FR' from generate_series(1, $2::int) n`,
      [orgId, count],
    );
  } finally {
    await client.end();
  }
}

/** Checks one response first, so figures never come from failing requests, then warms up and measures. */
async function measure(scenario: Scenario): Promise<Result> {
  await runRequests(scenario, 1, 1);
  await runRequests(scenario, WARM_UP, CONCURRENCY);
  const started = performance.now();
  const latencies = await runRequests(scenario, REQUESTS, CONCURRENCY);
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    label: scenario.label,
    requestsPerSecond: REQUESTS / elapsedSeconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** `total` requests from `concurrency` loops sharing one counter; every response is checked. */
async function runRequests(scenario: Scenario, total: number, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let issued = 0;
  const loop = async () => {
    while (issued < total) {
      issued++;
      const started = performance.now();
      const response = await scenario.request();
      const problem = await scenario.check(response); // reads the whole body, so it counts in the latency
      latencies.push(performance.now() - started);
      if (problem) {
        issued = total; // stops the other loops too
        throw new BenchFailure(`${scenario.label}: ${problem}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return latencies;
}

async function expectOk(response: Response): Promise<string | null> {
  const body = await response.text();
  return response.ok ? null : `HTTP ${response.status}: ${body.slice(0, 500)}`;
}

async function expectFullContactsPage(response: Response): Promise<string | null> {
  const text = await response.text();
  let body: { data?: { contacts?: { edges?: unknown[] } }; errors?: unknown[] };
  try {
    body = JSON.parse(text);
  } catch {
    return `HTTP ${response.status}, not JSON: ${text.slice(0, 500)}`;
  }
  if (body.errors) return `GraphQL errors: ${JSON.stringify(body.errors, null, 2)}`;
  if (!response.ok) return `HTTP ${response.status}: ${text.slice(0, 500)}`;
  const edges = body.data?.contacts?.edges?.length ?? 0;
  return edges === 50 ? null : `expected a full page of 50 contacts, got ${edges}`;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function printTable(results: Result[]): void {
  const [a, b] = results;
  const rows = results.map((result) => [
    result.label,
    result.requestsPerSecond.toFixed(0),
    result.p50.toFixed(2),
    result.p99.toFixed(2),
  ]);
  if (a && b) {
    rows.push(["ratio b/a", (b.requestsPerSecond / a.requestsPerSecond).toFixed(2), (b.p50 / a.p50).toFixed(2), "-"]);
  }
  const header = ["scenario", "req/s", "p50 ms", "p99 ms"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const format = (cells: string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(" | ")} |`;
  console.log(`\n${REQUESTS} requests per scenario, concurrency ${CONCURRENCY}, after ${WARM_UP} warm-up requests\n`);
  console.log(format(header));
  console.log(
    `|${widths.map((width, column) => (column === 0 ? "-".repeat(width + 2) : `${"-".repeat(width + 1)}:`)).join("|")}|`,
  );
  for (const row of rows) console.log(format(row));
}

async function stopAll(): Promise<void> {
  // splice: each step runs once even when a signal and the normal exit race.
  for (const stop of stops.splice(0).reverse()) {
    await stop().catch((error) => console.error("while stopping:", error));
  }
}

// The edge runs in its own process group, so Ctrl-C must stop it explicitly.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void stopAll().then(() => process.exit(130)));
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  console.error(error instanceof BenchFailure ? `\nbenchmark aborted: ${error.message}` : error);
  exitCode = 1;
} finally {
  await stopAll();
}
process.exit(exitCode);
