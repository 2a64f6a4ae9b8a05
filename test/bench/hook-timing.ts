import { AsyncLocalStorage } from "node:async_hooks";
import { performance } from "node:perf_hooks";

/** Edge calls a jambonz hook waits on before answering with verbs. */
const AWAITED_EDGE_PATH = /\/internal\/v1\/(calls\/[^/]+\/turn|inbound-calls)$/;

export type HookTiming = { path: string; totalMs: number; edgeMs: number };

/**
 * Times the media node's jambonz hooks: the whole handling, and within it the wait on the edge (the agent's
 * thinking), so a hook's own time is the difference. Give `fetch` to the media node and run each hook
 * through `time`.
 */
export class HookTimer {
  hooks: HookTiming[] = [];
  /** Edge answers ≥ 500 or unreachable, as the media node saw them: figures from such a run are suspect. */
  edgeFailures = 0;
  private readonly context = new AsyncLocalStorage<{ edgeMs: number }>();

  reset(): void {
    this.hooks = [];
    this.edgeFailures = 0;
  }

  async time(path: string, handle: () => Promise<Response>): Promise<Response> {
    const store = { edgeMs: 0 };
    const started = performance.now();
    const response = await this.context.run(store, handle);
    this.hooks.push({ path, totalMs: performance.now() - started, edgeMs: store.edgeMs });
    return response;
  }

  /** The media node's fetch to the edge: the time a hook waits on /turn (body included) is the edge's. */
  readonly fetch: typeof fetch = async (input, init) => {
    const store = this.context.getStore();
    const url = input instanceof Request ? input.url : String(input);
    const awaited = store && AWAITED_EDGE_PATH.test(new URL(url).pathname);
    const started = performance.now();
    try {
      const response = await fetch(input, init);
      if (response.status >= 500) this.edgeFailures++;
      if (!awaited) return response;
      const body = await response.arrayBuffer();
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      this.edgeFailures++;
      throw error;
    } finally {
      if (store && awaited) store.edgeMs += performance.now() - started;
    }
  };
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const ms = (value: number) => (Number.isNaN(value) ? "–" : value.toFixed(1));

/** One row per hook path (and one for all): count, own time p50/p99, edge wait p50/p99. */
export function hookRows(label: string, hooks: HookTiming[]): string[][] {
  const groups = new Map<string, HookTiming[]>([["all hooks", hooks]]);
  for (const hook of hooks) groups.set(hook.path, [...(groups.get(hook.path) ?? []), hook]);
  return [...groups].map(([path, group]) => {
    const own = group.map((hook) => hook.totalMs - hook.edgeMs);
    const edge = group.filter((hook) => hook.edgeMs > 0).map((hook) => hook.edgeMs);
    return [
      label,
      path,
      String(group.length),
      ms(percentile(own, 50)),
      ms(percentile(own, 99)),
      ms(percentile(edge, 50)),
      ms(percentile(edge, 99)),
    ];
  });
}

export const HOOK_HEADER = [
  "phase",
  "hook",
  "requests",
  "own p50 ms",
  "own p99 ms",
  "edge wait p50 ms",
  "edge wait p99 ms",
];
