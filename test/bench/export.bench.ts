import { performance } from "node:perf_hooks";
import {
  API_KEY_HEADERS,
  BenchFailure,
  printTable,
  runBench,
  seededDatabase,
  startBenchEdge,
  withClient,
} from "./support.js";
import { type Memory, memoryOf, readProc, workerdProcesses } from "./worker-memory.js";

/**
 * `npm run bench:export`: the streamed campaign exports against a throw-away stack (embedded PGlite,
 * or a scratch database on DATABASE_URL's server). Two campaigns, 1,000 and 100,000 calls, each call
 * with its own contact, a recording on every other call and a four-turn transcript on every tenth.
 * For each download: time, size, rows/s, and the worker's memory (the workerd processes wrangler
 * spawned, read from /proc): peak RSS sampled during the download and VmHWM after it. V8 enlarges
 * its heap during the first large export; if the export streams, VmHWM then stays put however many
 * more rows go through (a buffered export would add its body size each time). Last, a client that
 * hangs up after 1 MB: the worker's CPU time in the seconds after shows whether the pull loop stopped.
 */
const SMALL = 1_000;
const LARGE = 100_000;
const SAMPLE_EVERY_MS = 50;
const AFTER_ABORT_MS = 3_000;

type Download = {
  label: string;
  rows: number;
  bytes: number;
  seconds: number;
  firstByteMs: number;
  peakRssKb: number;
  hwmAfterKb: number;
};

async function main(): Promise<void> {
  const database = await seededDatabase("scratch");
  const edgeUrl = await startBenchEdge(database.url);
  const small = await insertCampaign(database.url, SMALL);
  const large = await insertCampaign(database.url, LARGE);
  const workers = workerdProcesses();
  if (workers.length === 0) throw new BenchFailure("no workerd process found under this process");
  const csv = (number: number) => `${edgeUrl}/api/exports/campaign/${number}/csv`;
  const json = (number: number) => `${edgeUrl}/api/exports/campaign/${number}/json`;

  // One throw-away download first, so the isolate, the bundle and the database connection path are warm.
  await download("warm-up", csv(small), SMALL, workers);
  const idle = memoryOf(workers);
  // The large exports run more than once: V8 grows its heap on the first one, and a streamed export
  // must then stay at that level however many rows go through.
  const downloads = [
    await download(`CSV ${SMALL.toLocaleString("en")} calls`, csv(small), SMALL, workers),
    await download(`CSV ${LARGE.toLocaleString("en")} calls`, csv(large), LARGE, workers),
    await download(`CSV ${LARGE.toLocaleString("en")} calls, again`, csv(large), LARGE, workers),
    await download(`CSV ${LARGE.toLocaleString("en")} calls, 3rd`, csv(large), LARGE, workers),
    await download(`JSON ${LARGE.toLocaleString("en")} calls`, json(large), LARGE, workers),
    await download(`JSON ${LARGE.toLocaleString("en")} calls, again`, json(large), LARGE, workers),
  ];
  const abort = await abortMidway(csv(large), workers);
  printReport(database.label, workers, idle, downloads, abort);
}

/** A demo campaign with `count` calls, inserted with generate_series; returns its number. */
async function insertCampaign(databaseUrl: string, count: number): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const started = performance.now();
    const { rows } = await client.query<{ id: string; number: number; org_id: string }>(
      `insert into campaigns (org_id, account_id, agent_id, name, status)
       select o.id, a.id, g.id, $1, 'completed'
       from organisations o
       join accounts a on a.org_id = o.id and a.is_default
       join agents g on g.org_id = o.id and g.slug = 'scenario_finance_crypto'
       where o.slug = 'demo'
       returning id, number::int as number, org_id`,
      [`Bench ${count}`],
    );
    const campaign = rows[0];
    if (!campaign) throw new BenchFailure("the demo organisation is missing its account or agent");
    await client.query(
      `with new_contacts as (
         insert into contacts (org_id, phone, first_name, last_name, email, company)
         select $1, '+33' || lpad((600000000 + n)::text, 9, '0'), 'Prénom ' || n, 'Nom, ' || n,
                'contact' || n || '@example.com', 'Société "' || (n % 97) || '"'
         from generate_series(1, $3::int) n
         returning id, phone)
       insert into calls (org_id, campaign_id, contact_id, to_number, status, result, duration_ms, sentiment,
                          confidence, amd_result, metadata, recording_key, created_at, answered_at, ended_at)
       select $1, $2, c.id, c.phone, 'completed',
              (array['lead','not_interested','callback','no_answer']::call_result[])[1 + (row_number() over () % 4)],
              60000 + (row_number() over () % 120) * 1000, 'positive', 0.9, 'human',
              jsonb_build_object('freestyle_turns', row_number() over () % 3),
              case when row_number() over () % 2 = 0 then 'recordings/bench/' || c.id || '.wav' end,
              now() - interval '1 hour', now() - interval '59 minutes', now() - interval '57 minutes'
       from new_contacts c`,
      [campaign.org_id, campaign.id, count],
    );
    await client.query(
      `insert into call_turns (org_id, call_id, sequence, speaker, text)
       select calls.org_id, calls.id, s, (array['agent','contact']::turn_speaker[])[1 + s % 2], 'Bonjour, tour ' || s
       from (select id, org_id, row_number() over (order by number) as n from calls where campaign_id = $1) calls,
            generate_series(1, 4) s
       where calls.n % 10 = 0`,
      [campaign.id],
    );
    await client.query("analyze calls; analyze contacts; analyze call_turns");
    console.log(`inserted ${count} calls in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return campaign.number;
  });
}

/** Reads the whole body, counting bytes and lines, while sampling the worker's RSS. */
async function download(label: string, url: string, expectedRows: number, workers: number[]): Promise<Download> {
  let peakRssKb = memoryOf(workers).rssKb;
  const sampler = setInterval(() => {
    peakRssKb = Math.max(peakRssKb, memoryOf(workers).rssKb);
  }, SAMPLE_EVERY_MS);
  try {
    const started = performance.now();
    const response = await fetch(url, { headers: API_KEY_HEADERS });
    if (!response.ok || !response.body) {
      throw new BenchFailure(`${label}: HTTP ${response.status} ${await response.text()}`);
    }
    // CSV: one line per row after the header (the bench data has no line breaks inside fields).
    // JSON: one `"uuid":` per call.
    const counter = url.endsWith("/csv") ? new Occurrences("\n") : new Occurrences('"uuid":');
    let firstByteMs = 0;
    let bytes = 0;
    for await (const chunk of response.body) {
      if (bytes === 0) firstByteMs = performance.now() - started;
      bytes += chunk.byteLength;
      counter.feed(chunk);
    }
    const seconds = (performance.now() - started) / 1000;
    const rows = url.endsWith("/csv") ? counter.count - 1 : counter.count;
    if (rows !== expectedRows) throw new BenchFailure(`${label}: expected ${expectedRows} rows, got ${rows}`);
    if (!url.endsWith("/csv") && !counter.ending.endsWith("]}")) throw new BenchFailure(`${label}: truncated JSON`);
    peakRssKb = Math.max(peakRssKb, memoryOf(workers).rssKb);
    return { label, rows, bytes, seconds, firstByteMs, peakRssKb, hwmAfterKb: memoryOf(workers).hwmKb };
  } finally {
    clearInterval(sampler);
  }
}

/** Counts a needle across chunk boundaries without keeping the text. */
class Occurrences {
  count = 0;
  /** The last characters seen, to check how the body ends. */
  ending = "";
  #tail = "";
  readonly #decoder = new TextDecoder();

  constructor(private readonly needle: string) {}

  feed(chunk: Uint8Array): void {
    const decoded = this.#decoder.decode(chunk, { stream: true });
    const text = this.#tail + decoded;
    for (let at = text.indexOf(this.needle); at !== -1; at = text.indexOf(this.needle, at + this.needle.length)) {
      this.count++;
    }
    // Keeps just enough to find a needle split over two chunks; a whole needle never fits in it.
    const keep = this.needle.length - 1;
    this.#tail = keep > 0 ? text.slice(-keep) : "";
    this.ending = (this.ending + decoded).slice(-16);
  }
}

type AbortResult = { bytesRead: number; cpuMsAfter: number; cpuMsFullDownload: number; stillServing: boolean };

/** Hangs up after 1 MB, then measures how much CPU the worker burns while nobody is listening. */
async function abortMidway(url: string, workers: number[]): Promise<AbortResult> {
  const cpuBeforeFull = cpuMsOf(workers);
  await download("full, for CPU", url, LARGE, workers);
  const cpuMsFullDownload = cpuMsOf(workers) - cpuBeforeFull;

  const controller = new AbortController();
  const response = await fetch(url, { headers: API_KEY_HEADERS, signal: controller.signal });
  let bytesRead = 0;
  try {
    for await (const chunk of response.body ?? []) {
      bytesRead += chunk.byteLength;
      if (bytesRead >= 1_000_000) break;
    }
  } finally {
    controller.abort();
  }
  const cpuAtAbort = cpuMsOf(workers);
  await new Promise((resolve) => setTimeout(resolve, AFTER_ABORT_MS));
  const cpuMsAfter = cpuMsOf(workers) - cpuAtAbort;
  const check = await fetch(url.replace(/\/csv$/, "/json"), { headers: API_KEY_HEADERS });
  await check.body?.cancel();
  return { bytesRead, cpuMsAfter, cpuMsFullDownload, stillServing: check.ok };
}

/** User + system CPU time of the worker processes, in ms (clock ticks are 10 ms on Linux). */
function cpuMsOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readProc(`/proc/${pid}/stat`) ?? "";
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks * 10;
}

function printReport(label: string, workers: number[], idle: Memory, downloads: Download[], abort: AbortResult): void {
  const mb = (kb: number) => (kb / 1024).toFixed(1);
  const header = [
    "download",
    "rows",
    "MB",
    "seconds",
    "rows/s",
    "MB/s",
    "first byte ms",
    "peak RSS MB",
    "VmHWM after MB",
  ];
  const rows = [
    ["worker idle (after warm-up)", "-", "-", "-", "-", "-", "-", mb(idle.rssKb), mb(idle.hwmKb)],
    ...downloads.map((d) => [
      d.label,
      d.rows.toLocaleString("en"),
      (d.bytes / 1e6).toFixed(1),
      d.seconds.toFixed(2),
      Math.round(d.rows / d.seconds).toLocaleString("en"),
      (d.bytes / 1e6 / d.seconds).toFixed(1),
      d.firstByteMs.toFixed(0),
      mb(d.peakRssKb),
      mb(d.hwmAfterKb),
    ]),
  ];
  console.log(`\ndatabase: ${label}; worker processes (workerd): ${workers.join(", ")}\n`);
  printTable(header, rows);
  const [small, firstLarge, secondLarge] = downloads;
  const last = downloads.at(-1);
  if (small && firstLarge && secondLarge && last) {
    const streamedAfter = downloads.slice(2).reduce((total, d) => total + d.bytes, 0);
    console.log(
      `\nFirst ${LARGE.toLocaleString("en")}-call CSV: VmHWM ${mb(small.hwmAfterKb)} → ${mb(firstLarge.hwmAfterKb)} MB ` +
        `(V8 sizing its heap). After the second: ${mb(secondLarge.hwmAfterKb)} MB; after ` +
        `${(streamedAfter / 1e6).toFixed(0)} MB more exported: ${mb(last.hwmAfterKb)} MB.`,
    );
  }
  console.log(
    `Client hung up after ${(abort.bytesRead / 1e6).toFixed(1)} MB: worker CPU in the next ${AFTER_ABORT_MS / 1000} s ` +
      `${abort.cpuMsAfter} ms (a full ${LARGE.toLocaleString("en")}-call CSV costs ${abort.cpuMsFullDownload} ms); ` +
      `the edge ${abort.stillServing ? "still serves" : "NO LONGER serves"} exports afterwards.`,
  );
}

await runBench(main);
