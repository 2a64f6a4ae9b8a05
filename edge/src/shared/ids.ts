const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id names nothing, so callers treat it as not found instead of sending it to Postgres. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
