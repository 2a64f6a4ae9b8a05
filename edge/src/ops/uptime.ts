/** When this isolate loaded the worker: `/` and `/metrics` count uptime from here. */
const startedAt = Date.now();

export function uptimeMs(now: number = Date.now()): number {
  return Math.max(0, now - startedAt);
}
