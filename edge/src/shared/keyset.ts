import { asc, desc, gt, lt, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/** A page request in keyset terms, as produced by Pothos's resolveCursorConnection. */
export type KeysetPage<K> = { after?: K; before?: K; limit: number; inverted: boolean };

/** Conditions and ordering for paging by one unique, sortable column. */
export function keyset<K>(column: PgColumn, page: KeysetPage<K>, direction: "asc" | "desc") {
  const forward = direction === "asc";
  const conditions: SQL[] = [];
  if (page.after !== undefined) conditions.push(forward ? gt(column, page.after) : lt(column, page.after));
  if (page.before !== undefined) conditions.push(forward ? lt(column, page.before) : gt(column, page.before));
  const ascending = forward !== page.inverted;
  return { conditions, orderBy: ascending ? asc(column) : desc(column), limit: page.limit };
}
