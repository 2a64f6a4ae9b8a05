/**
 * Failures that mean "the database cannot take this request now" (a pooler out of slots, a server starting or
 * restarting, a dropped connection), not a bug in the request: surfaces answer 503 with Retry-After, and
 * callers such as the media node try again later instead of losing the work.
 */
const BUSY_SQLSTATES = new Set([
  "53300", // too_many_connections
  "53400", // configuration_limit_exceeded
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
]);
const CONNECTION_LOST = /connection terminated|connection refused|econnrefused|econnreset|websocket/i;

export const DATABASE_BUSY_MESSAGE = "The database is busy; retry shortly";

/** Seconds a client should wait before trying again after a busy database. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (BUSY_SQLSTATES.has(code) || code.startsWith("08"))) return true;
    if (CONNECTION_LOST.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}
