/**
 * Timing of the database work this isolate ran through `timedQuery`, for `/query-stats`. LEGACY-NOTES: a query
 * is slow over 1000 ms; the status is warning above 5 % slow, critical above 10 %.
 */
export const SLOW_QUERY_MS = 1000;

let totalQueries = 0;
let slowQueries = 0;
let totalMs = 0;

export function recordQuery(durationMs: number): void {
  totalQueries += 1;
  totalMs += durationMs;
  if (durationMs > SLOW_QUERY_MS) slowQueries += 1;
}

export async function timedQuery<T>(work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    recordQuery(performance.now() - started);
  }
}

export type QueryStats = {
  performance_status: "good" | "warning" | "critical";
  stats: {
    total_queries: number;
    slow_queries: number;
    slow_query_percentage: number;
    average_query_time_ms: number;
    threshold_ms: number;
  };
};

export function queryStats(): QueryStats {
  const slowPercentage = totalQueries === 0 ? 0 : (slowQueries / totalQueries) * 100;
  const status = slowPercentage > 10 ? "critical" : slowPercentage > 5 ? "warning" : "good";
  return {
    performance_status: status,
    stats: {
      total_queries: totalQueries,
      slow_queries: slowQueries,
      slow_query_percentage: round2(slowPercentage),
      average_query_time_ms: totalQueries === 0 ? 0 : round2(totalMs / totalQueries),
      threshold_ms: SLOW_QUERY_MS,
    },
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
