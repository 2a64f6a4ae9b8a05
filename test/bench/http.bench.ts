import {
  API_KEY_HEADERS,
  checkedRequest,
  expectOk,
  type Figures,
  printTable,
  type ResponseCheck,
  runBench,
  seededDatabase,
  startBenchEdge,
  timeSteps,
  withClient,
} from "./support.js";

/**
 * `npm run bench`: latency and throughput of the edge in workerd, on loopback, against a fresh
 * in-memory embedded database. (a) the static `GET /`; (b) an authenticated GraphQL page of 50 contacts.
 */
const WARM_UP = 50;
const REQUESTS = 1_000;
const CONCURRENCY = 10;
const EXTRA_CONTACTS = 200;
const CONTACTS_QUERY = "{ contacts(first: 50) { edges { node { id phone firstName lastName } } } }";

type Scenario = { label: string; request: () => Promise<Response>; check: ResponseCheck };
type Result = Figures & { label: string };

async function main(): Promise<void> {
  const edgeUrl = await startStack();
  const scenarios: Scenario[] = [
    { label: "(a) GET /", request: () => fetch(`${edgeUrl}/`), check: expectOk },
    {
      label: "(b) POST /graphql contacts(first: 50)",
      request: () =>
        fetch(`${edgeUrl}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", ...API_KEY_HEADERS },
          body: JSON.stringify({ query: CONTACTS_QUERY }),
        }),
      check: expectFullContactsPage,
    },
  ];
  const results: Result[] = [];
  for (const scenario of scenarios) results.push(await measure(scenario));
  printResults(results);
}

/** Same stack as `npm start`, minus the media node, on a throw-away in-memory embedded database. */
async function startStack(): Promise<string> {
  const database = await seededDatabase("embedded");
  await addContacts(database.url, database.orgId, EXTRA_CONTACTS);
  return startBenchEdge(database.url);
}

/** Enough contacts that every page of 50 is full. */
async function addContacts(databaseUrl: string, orgId: string, count: number): Promise<void> {
  await withClient(databaseUrl, (client) =>
    client.query(
      `insert into contacts (org_id, phone, first_name, last_name, country)
       select $1, '+3361' || lpad(n::text, 7, '0'), 'Bench', 'Contact ' || n, 'FR' from generate_series(1, $2::int) n`,
      [orgId, count],
    ),
  );
}

/** Checks one response first, so figures never come from failing requests, then warms up and measures. */
async function measure(scenario: Scenario): Promise<Result> {
  const step = checkedRequest(scenario.label, scenario.request, scenario.check);
  await timeSteps(step, { count: 1 });
  await timeSteps(step, { count: WARM_UP, concurrency: CONCURRENCY });
  return { label: scenario.label, ...(await timeSteps(step, { count: REQUESTS, concurrency: CONCURRENCY })) };
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

function printResults(results: Result[]): void {
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
  console.log(`\n${REQUESTS} requests per scenario, concurrency ${CONCURRENCY}, after ${WARM_UP} warm-up requests\n`);
  printTable(["scenario", "req/s", "p50 ms", "p99 ms"], rows);
}

await runBench(main);
