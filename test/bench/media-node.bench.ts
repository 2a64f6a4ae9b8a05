import { randomUUID } from "node:crypto";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { CallTag } from "../../media-node/src/calls/registry.js";
import { readMediaNodeEnv } from "../../media-node/src/env.js";
import { createMediaNode, type MediaNode } from "../../media-node/src/server.js";
import { agentReply, FakeEdge } from "../../media-node/src/testing/fake-edge.js";
import { hookBase, postHook, WEBHOOK_SECRET } from "../../media-node/src/testing/jambonz-hooks.js";
import { HOOK_HEADER, HookTimer, hookRows, ms } from "./hook-timing.js";
import { BenchFailure, printTable, runBench, stopOnExit, timeSteps } from "./support.js";

/**
 * `npm run bench:media-node`: the media node's own work per jambonz hook, with nothing else on the machine's
 * cores. `bench:calls` measures the same figure inside the whole running system, where the worker, wrangler,
 * the database and the emulator compete for two cores, so a hook's "own" time there includes waiting for a
 * CPU. Here the edge is an in-process stand-in that answers each agent turn at once (its wait is subtracted
 * anyway), and each emulated call runs the hooks jambonz sends for an outbound call with AMD: three statuses,
 * the call hook (AMD wait), the AMD verdict (greeting), two answers (the second ends the call), the final status.
 * Phases: one call at a time, back to back; then CONCURRENCY calls at once, each pausing about THINK_MS between
 * its hooks as a caller and jambonz do (a caller answers every few seconds). The stand-in edge shares this
 * process, so at high rates its own work (signatures, bodies) loads the loop too. Baseline in the same run:
 * the media node's own GET /health.
 */
const CALLS = Number(process.env.MEDIA_NODE_BENCH_CALLS ?? 1_000);
const CONCURRENCY = Number(process.env.MEDIA_NODE_BENCH_CONCURRENCY ?? 500);
const THINK_MS = Number(process.env.MEDIA_NODE_BENCH_THINK_MS ?? 3_000);
const SECRET = "media-node-bench-internal-secret";

async function main(): Promise<void> {
  const edge = await new FakeEdge(SECRET).start();
  stopOnExit(() => edge.stop());
  const timer = new HookTimer();
  const node = createMediaNode({
    config: readMediaNodeEnv({
      EDGE_URL: edge.url,
      INTERNAL_API_SECRET: SECRET,
      JAMBONZ_WEBHOOK_SECRET: WEBHOOK_SECRET,
    }),
    outboxFile: null,
    fetch: timer.fetch,
    log: () => {},
  });
  node.outbox.start();
  stopOnExit(async () => node.outbox.stop());

  const health = await timeSteps(async () => void (await node.app.request("/health")).text(), { count: 2_000 });
  console.log(`GET /health (baseline, in process): p50 ${ms(health.p50)} ms, p99 ${ms(health.p99)} ms`);

  const phases = [
    { calls: 200, concurrency: 1, thinkMs: 0 },
    { calls: CALLS, concurrency: CONCURRENCY, thinkMs: THINK_MS },
  ];
  for (const phase of phases) {
    timer.reset();
    edge.requests.length = 0;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = performance.now();
    await runCalls(node, edge, timer, phase);
    const seconds = (performance.now() - started) / 1000;
    loopDelay.disable();
    await node.outbox.drain();
    if (timer.edgeFailures > 0) throw new BenchFailure(`${timer.edgeFailures} edge requests failed`);
    const label = `${phase.calls} calls, ${phase.concurrency} at once`;
    const rate = (timer.hooks.length / seconds).toFixed(0);
    console.log(
      `\n${label}, ${phase.thinkMs} ms between hooks: ${rate} hooks/s, loop delay p99 ${ms(loopDelay.percentile(99) / 1e6)} ms\n`,
    );
    printTable(HOOK_HEADER, hookRows(label, timer.hooks), 2);
  }
}

type Phase = { calls: number; concurrency: number; thinkMs: number };

async function runCalls(node: MediaNode, edge: FakeEdge, timer: HookTimer, phase: Phase) {
  let started = 0;
  const lane = async () => {
    while (started++ < phase.calls) await oneCall(node, edge, timer, phase.thinkMs);
  };
  await Promise.all(Array.from({ length: phase.concurrency }, lane));
}

/** One outbound call with AMD, as jambonz drives it; every answer is checked, so no figure comes from errors. */
async function oneCall(node: MediaNode, edge: FakeEdge, timer: HookTimer, thinkMs: number): Promise<void> {
  const tag: CallTag = { call_id: randomUUID(), org_id: randomUUID(), attempt: 1, amd: true };
  const base = hookBase(randomUUID(), tag);
  const hook = async (path: string, payload: Record<string, unknown>) => {
    if (thinkMs > 0) await sleep(thinkMs * (0.5 + Math.random()));
    const response = await timer.time(path, async () => postHook(node.app, path, { ...base, ...payload }));
    if (!response.ok) throw new BenchFailure(`${path}: HTTP ${response.status}: ${await response.text()}`);
    await response.text();
  };
  edge.turnReplies.push(agentReply(), agentReply({ say: "Very good.", step: "offer" }));
  edge.turnReplies.push(agentReply({ say: "Thank you, goodbye.", action: "hangup", step: "bye" }));
  for (const call_status of ["trying", "ringing", "in-progress"]) await hook("/jambonz/status", { call_status });
  await hook("/jambonz/call", {});
  await hook("/jambonz/amd", { type: "amd_human_detected" });
  for (const transcript of ["oui bien sûr", "d'accord, merci"]) {
    const speech = { is_final: true, alternatives: [{ transcript, confidence: 0.9 }] };
    await hook("/jambonz/gather", { reason: "speechDetected", speech });
  }
  await hook("/jambonz/status", { call_status: "completed", duration: 42 });
}

const sleep = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, delayMs));

await runBench(main);
