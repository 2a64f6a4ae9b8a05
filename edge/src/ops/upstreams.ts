import { isDatabaseUnavailable } from "../db/unavailable.js";
import { DomainError } from "../shared/errors.js";
import { breakerFor } from "./circuit-breakers.js";
import { timedQuery } from "./query-stats.js";

/**
 * Database work under the database breaker, timed for /query-stats. Only an unreachable or busy database counts
 * as a failure: a not-found or a validation error is the caller's, and says nothing about the upstream.
 */
export function guardDatabase<T>(work: () => Promise<T>): Promise<T> {
  return breakerFor("database").run(() => timedQuery(work), isDatabaseUnavailable);
}

/** Work that touches R2 (and the database), under the storage breaker; domain errors are not R2's fault. */
export function guardStorage<T>(work: () => Promise<T>): Promise<T> {
  return breakerFor("storage").run(work, (error) => !(error instanceof DomainError) && !isDatabaseUnavailable(error));
}
