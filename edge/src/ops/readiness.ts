import type { R2Bucket } from "@cloudflare/workers-types/latest";
import type { Database } from "../db/client.js";
import { defaultCache } from "../stats/live-cache.js";
import { checkDatabase, HTTP_PROBE_TIMEOUT_MS } from "./health.js";
import { withTimeout } from "./probes.js";

export type ReadinessState = "ok" | "error";
export type ReadinessReport = {
  ready: boolean;
  database: ReadinessState;
  storage: ReadinessState;
  cache: ReadinessState;
};

/** A key no recording uses: a lookup proves the bucket answers without reading any data. */
const STORAGE_PROBE_KEY = "readiness/probe";
const CACHE_PROBE_URL = "https://readiness.switchboard.invalid/probe";

/** Whether the worker can serve: database, recordings storage and the Cache API, checked in parallel. */
export async function checkReadiness(deps: {
  db: () => Database;
  bucket: R2Bucket;
  logFailure?: (component: string, error: unknown) => void;
}): Promise<ReadinessReport> {
  const probe = async (component: string, work: () => Promise<unknown>): Promise<ReadinessState> => {
    try {
      await withTimeout(Promise.resolve().then(work), HTTP_PROBE_TIMEOUT_MS);
      return "ok";
    } catch (error) {
      deps.logFailure?.(component, error);
      return "error";
    }
  };
  const [database, storage, cache] = await Promise.all([
    checkDatabase(deps.db, deps.logFailure).then(
      (report) => (report.status === "healthy" ? "ok" : "error") as ReadinessState,
    ),
    probe("storage", () => deps.bucket.head(STORAGE_PROBE_KEY)),
    probe("cache", () => defaultCache().match(CACHE_PROBE_URL)),
  ]);
  return { ready: database === "ok" && storage === "ok" && cache === "ok", database, storage, cache };
}
