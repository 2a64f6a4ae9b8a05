import { request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";
import { planBatch } from "../../edge/src/batches/plan.js";
import { useCaseById } from "../../edge/src/batches/use-cases.js";
import { readSheet } from "../../edge/src/batches/workbook.js";
import { debtorRows, workbookBytes } from "../support/excel.js";
import {
  API_KEY_HEADERS,
  BenchFailure,
  printTable,
  runBench,
  seededDatabase,
  startBenchEdge,
  withClient,
} from "./support.js";
import { memoryOf, workerdProcesses } from "./worker-memory.js";

/**
 * `npm run bench:excel`: imports generated debt-collection workbooks through the worker's importBatch mutation
 * (multipart upload → parse → validate → duplicate check → one transaction of bulk inserts), against a throw-away
 * stack. 100 rows is the baseline; 10,000 rows (the row limit) is the figure that matters, as .xlsx
 * and as .xls.
 * For each import: wall time, rows/s, and the worker's memory (workerd processes, from /proc): peak RSS sampled
 * every 50 ms during the request and VmHWM after it. Parse + plan time in Node (same code) shows what the
 * spreadsheet itself costs, apart from the database.
 */
const SAMPLE_EVERY_MS = 50;
const SIZES = [100, 10_000] as const;

type Import = {
  label: string;
  rows: number;
  kb: number;
  parsePlanMs: number;
  seconds: number;
  peakRssKb: number;
  hwmAfterKb: number;
};

async function main(): Promise<void> {
  const database = await seededDatabase("scratch");
  const edgeUrl = await startBenchEdge(database.url);
  // 10,000 jobs at 0.47 each: give the demo account credit for every run of this bench.
  await withClient(database.url, (client) =>
    client.query("update accounts set credit_balance = 1000000 where code = 'retail_express'"),
  );
  const workers = workerdProcesses();
  if (workers.length === 0) throw new BenchFailure("no workerd process found under this process");

  let offset = 0;
  const run = async (label: string, rows: number, format: "xlsx" | "xls") => {
    const bytes = workbookBytes(debtorRows(rows, 1, offset), format);
    offset += rows;
    return importOnce(edgeUrl, workers, label, rows, format, bytes);
  };
  // Warm the isolate, the bundle and the database path first.
  await run("warm-up", 10, "xlsx");
  const idle = memoryOf(workers);
  const imports = [
    await run(`baseline ${SIZES[0]} rows .xlsx`, SIZES[0], "xlsx"),
    await run(`${SIZES[1].toLocaleString("en")} rows .xlsx`, SIZES[1], "xlsx"),
    await run(`${SIZES[1].toLocaleString("en")} rows .xlsx, again`, SIZES[1], "xlsx"),
    await run(`${SIZES[1].toLocaleString("en")} rows .xls`, SIZES[1], "xls"),
  ];
  printReport(database.label, idle.rssKb, imports);
}

async function importOnce(
  edgeUrl: string,
  workers: number[],
  label: string,
  rows: number,
  format: "xlsx" | "xls",
  bytes: Uint8Array,
): Promise<Import> {
  const parsePlanMs = timeParseAndPlan(bytes);
  const query = `mutation ($input: BatchImportInput!) { importBatch(input: $input) {
    __typename ... on Error { code message } ... on MutationImportBatchSuccess { data { totalJobs } } } }`;
  const request = requestFor(query, format, bytes);

  let peakRssKb = memoryOf(workers).rssKb;
  const sampler = setInterval(() => {
    peakRssKb = Math.max(peakRssKb, memoryOf(workers).rssKb);
  }, SAMPLE_EVERY_MS);
  const started = performance.now();
  try {
    const body = JSON.parse(await postOnFreshConnection(`${edgeUrl}/graphql`, request)) as {
      data?: { importBatch?: { __typename: string; message?: string; data?: { totalJobs: number } } };
    };
    const result = body.data?.importBatch;
    if (result?.data?.totalJobs !== rows) {
      throw new BenchFailure(`${label}: expected ${rows} jobs, got ${JSON.stringify(body)}`);
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  peakRssKb = Math.max(peakRssKb, memoryOf(workers).rssKb);
  return {
    label,
    rows,
    kb: bytes.byteLength / 1024,
    parsePlanMs,
    seconds,
    peakRssKb,
    hwmAfterKb: memoryOf(workers).hwmKb,
  };
}

/** The workbook as a multipart file part (GraphQL multipart request spec). */
function requestFor(query: string, format: "xlsx" | "xls", bytes: Uint8Array): RequestInit {
  const fileName = `bench.${format}`;
  const form = new FormData();
  form.set("operations", JSON.stringify({ query, variables: { input: { fileName, file: null } } }));
  form.set("map", JSON.stringify({ 0: ["variables.input.file"] }));
  form.set("0", new Blob([bytes]), fileName);
  return { headers: API_KEY_HEADERS, body: form };
}

/**
 * POSTs on a new connection: wrangler dev closes a kept-alive connection after a long request, and a large upload
 * written into it fails with EPIPE (fetch reuses connections and does not retry a POST).
 */
async function postOnFreshConnection(url: string, init: RequestInit): Promise<string> {
  const encoded = new Request(url, { method: "POST", ...init });
  const body = Buffer.from(await encoded.arrayBuffer());
  const headers = Object.fromEntries(encoded.headers);
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: "POST",
      agent: false,
      headers: { ...headers, "content-length": body.length },
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** The spreadsheet's share of the work, in Node: read the workbook, match columns, validate and group. */
function timeParseAndPlan(bytes: Uint8Array): number {
  const started = performance.now();
  planBatch(readSheet(bytes), { country: "CL", useCase: useCaseById("debt_collection"), today: "2025-11-10" });
  return performance.now() - started;
}

function printReport(label: string, idleRssKb: number, imports: Import[]): void {
  const mb = (kb: number) => (kb / 1024).toFixed(1);
  console.log(`\nExcel batch import through the worker (${label}); worker RSS when idle: ${mb(idleRssKb)} MB\n`);
  printTable(
    ["import", "rows", "file KB", "parse+plan ms (Node)", "total s", "rows/s", "peak RSS MB", "VmHWM after MB"],
    imports.map((run) => [
      run.label,
      run.rows.toLocaleString("en"),
      run.kb.toFixed(0),
      run.parsePlanMs.toFixed(0),
      run.seconds.toFixed(2),
      (run.rows / run.seconds).toFixed(0),
      mb(run.peakRssKb),
      mb(run.hwmAfterKb),
    ]),
  );
  const [baseline, large] = imports;
  if (baseline && large) {
    const perRow = (run: Import) => (run.seconds * 1000) / run.rows;
    console.log(
      `\nper row: ${perRow(baseline).toFixed(2)} ms at ${baseline.rows} rows, ${perRow(large).toFixed(3)} ms at ${large.rows.toLocaleString("en")}; ` +
        `peak RSS ${mb(large.peakRssKb - idleRssKb)} MB above idle for ${large.rows.toLocaleString("en")} rows`,
    );
  }
}

await runBench(main);
