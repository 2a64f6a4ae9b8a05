import { type Column, eq, type SQL, sql } from "drizzle-orm";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id names nothing, so callers treat it as not found instead of sending it to Postgres. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** `column = id`; an id that is no uuid matches nothing, rather than failing the query. */
export function uuidEquals(column: Column, id: string): SQL {
  return isUuid(id) ? eq(column, id) : sql`false`;
}
