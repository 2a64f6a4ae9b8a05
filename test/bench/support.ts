import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { ensureConsoleBuilt } from "../../schema/src/local/console-build.js";
import { startEmbeddedDatabase } from "../../schema/src/local/embedded-db.js";
import { applyMigrations } from "../../schema/src/local/migrate.js";
import { seedDemo } from "../../schema/src/local/seed.js";
import { spawnGroup, stopGroup } from "../../schema/src/local/stack.js";
import { freePort } from "../support/ports.js";
import { createScratchDatabase, type ScratchDatabase } from "../support/scratch-database.js";
import { startThrowawayEdge } from "../support/throwaway-edge.js";

/** What the benchmarks share: a throw-away stack, timing loops, percentiles, a Markdown table, teardown. */

/** The legacy X-API-Key of the demo organisation on the bench stack. */
export const API_PASSWORD = "bench-password";
export const API_KEY_HEADERS = { "x-api-key": API_PASSWORD };

/** A wrong figure or response: the run stops, so no figure ever comes from failing requests. */
export class BenchFailure extends Error {}

/** What to stop on the way out, last started first. */
const stops: Array<() => Promise<void>> = [];

/** Adds `stop` to what runs on the way out (also on Ctrl-C), for parts a bench starts itself. */
export function stopOnExit(stop: () => Promise<void>): void {
  stops.push(stop);
}

export type BenchDatabase = { url: string; label: string; orgId: string; wsProxy?: string };

/**
 * A migrated database with the demo organisation seeded. "scratch": embedded PGlite, or a throw-away database
 * on DATABASE_URL's server when set; "embedded": always embedded PGlite. With `ownProcess`, the worker's
 * WebSocket bridge (and embedded PGlite) run in a child process instead of on this process's event loop, and
 * `wsProxy` names that bridge.
 */
export async function seededDatabase(
  kind: "scratch" | "embedded",
  options: { ownProcess?: boolean } = {},
): Promise<BenchDatabase> {
  const wantsEmbedded = kind === "embedded" || !process.env.DATABASE_URL;
  const database: ScratchDatabase & { wsProxy?: string } = options.ownProcess
    ? await databaseProcess(wantsEmbedded ? null : await createScratchDatabase())
    : wantsEmbedded
      ? await embeddedDatabase()
      : await createScratchDatabase();
  stops.push(database.stop);
  await applyMigrations(database.url);
  const seed = await seedDemo(database.url, { orgSlug: "demo", demoPassword: "bench-demo" });
  return { url: database.url, label: database.label, orgId: seed.orgId, wsProxy: database.wsProxy };
}

/** test/bench/database-process.ts: the bridge, and embedded PGlite unless `server` is given. */
async function databaseProcess(server: ScratchDatabase | null): Promise<ScratchDatabase & { wsProxy: string }> {
  const args = ["tsx", "test/bench/database-process.ts", ...(server ? ["--bridge-only"] : [])];
  const child = spawnGroup("npx", args, {}, "pipe");
  const started = JSON.parse(await firstLine(child)) as { url?: string; wsProxy: string };
  const stop = async () => {
    await stopGroup(child);
    await server?.stop();
  };
  if (server) return { ...server, wsProxy: started.wsProxy, stop, label: `${server.label}, bridge in its own process` };
  return { url: started.url ?? "", wsProxy: started.wsProxy, stop, label: "embedded PGlite (in memory, own process)" };
}

async function embeddedDatabase(): Promise<ScratchDatabase> {
  const embedded = await startEmbeddedDatabase({});
  return { ...embedded, label: "embedded PGlite (in memory)" };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const newline = output.indexOf("\n");
      if (newline >= 0) resolve(output.slice(0, newline).trim());
    });
    child.once("exit", (code) => reject(new BenchFailure(`embedded database process exited (${code})`)));
  });
}

/** The worker under wrangler dev, as `npm start` runs it (minus the media node, not on any measured path). */
export function startBenchEdge(databaseUrl: string): Promise<string> {
  return startThrowawayEdge({ databaseUrl, apiPassword: API_PASSWORD, environment: "development", stops });
}

/** One connection for the length of `use`. */
export async function withClient<T>(databaseUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export type Figures = { requests: number; requestsPerSecond: number; p50: number; p99: number };

/** A run of `step`: `count` steps in all, or as many as fit in `seconds`, from `concurrency` loops (default 1). */
export type Run = ({ count: number } | { seconds: number }) & { concurrency?: number };

/** Times every step of the run; a step that throws stops every loop and fails the run. */
export async function timeSteps(step: () => Promise<void>, run: Run): Promise<Figures> {
  const latencies: number[] = [];
  const started = performance.now();
  const another = moreSteps(run, started);
  let failed = false;
  const loop = async () => {
    while (!failed && another()) {
      const before = performance.now();
      try {
        await step();
      } catch (error) {
        failed = true;
        throw error;
      }
      latencies.push(performance.now() - before);
    }
  };
  await Promise.all(Array.from({ length: run.concurrency ?? 1 }, loop));
  return summarise(latencies, (performance.now() - started) / 1000);
}

function moreSteps(run: Run, started: number): () => boolean {
  if ("seconds" in run) {
    const deadline = started + run.seconds * 1000;
    return () => performance.now() < deadline;
  }
  let issued = 0;
  return () => issued++ < run.count;
}

function summarise(latencies: number[], seconds: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    requestsPerSecond: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Reads the whole response and says what is wrong with it, or null. */
export type ResponseCheck = (response: Response) => Promise<string | null>;

export async function expectOk(response: Response): Promise<string | null> {
  const body = await response.text();
  return response.ok ? null : `HTTP ${response.status}: ${body.slice(0, 500)}`;
}

/** A step for `timeSteps`: one request, its whole body read and checked (so reading counts in the latency). */
export function checkedRequest(
  label: string,
  request: () => Promise<Response>,
  check: ResponseCheck = expectOk,
): () => Promise<void> {
  return async () => {
    const problem = await check(await request());
    if (problem) throw new BenchFailure(`${label}: ${problem}`);
  };
}

/** A Markdown table: the first `textColumns` columns left-aligned, the figures right-aligned. */
export function printTable(header: string[], rows: string[][], textColumns = 1): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const format = (cells: string[]) =>
    `| ${cells.map((cell, column) => (column < textColumns ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(" | ")} |`;
  console.log(format(header));
  console.log(
    `|${widths.map((width, column) => (column < textColumns ? "-".repeat(width + 2) : `${"-".repeat(width + 1)}:`)).join("|")}|`,
  );
  for (const row of rows) console.log(format(row));
}

/** Runs `main`, then stops everything it started, also on Ctrl-C; exits 1 when it failed. */
export async function runBench(main: () => Promise<void>): Promise<never> {
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
}

async function stopAll(): Promise<void> {
  // splice: each step runs once even when a signal and the normal exit race.
  for (const stop of stops.splice(0).reverse()) {
    await stop().catch((error) => console.error("while stopping:", error));
  }
}

/**
 * The worker as `wrangler dev` runs it, but started through wrangler's API with its DevTools proxy off: that
 * proxy sends wrangler a loopback request for every chunk read from any subrequest stream (each hub event and
 * heartbeat per subscriber, each database socket's reads) and leaves the socket in CLOSE-WAIT, so 1,000
 * subscribers or 500 calls in flight exhaust workerd's file descriptors within minutes. Nothing on the measured
 * path changes.
 */
export async function startEdgeWithoutDevTools(vars: Record<string, string>): Promise<string> {
  Object.assign(process.env, {
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
    WRANGLER_LOG: "warn",
  });
  // As startEdge does (schema/src/local/stack.ts): wrangler will not start without the console's build.
  await ensureConsoleBuilt();
  const { unstable_startWorker } = await import("wrangler");
  const persist = mkdtempSync(join(tmpdir(), "switchboard-wrangler-"));
  stopOnExit(async () => rmSync(persist, { recursive: true, force: true }));
  const worker = await unstable_startWorker({
    config: "wrangler.toml",
    bindings: Object.fromEntries(
      Object.entries(vars).map(([name, value]) => [name, { type: "plain_text" as const, value }]),
    ),
    dev: {
      inspector: false,
      server: { hostname: "127.0.0.1", port: await freePort() },
      persist,
      watch: false,
      liveReload: false,
      logLevel: "warn",
    },
  });
  stopOnExit(() => worker.dispose());
  await worker.ready;
  return (await worker.url).origin;
}
