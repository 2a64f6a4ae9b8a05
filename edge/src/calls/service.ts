import { type CallStatus, calls } from "@switchboard/schema";
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { isUuid } from "../shared/ids.js";
import { type KeysetPage, keyset } from "../shared/keyset.js";

export type CallRow = typeof calls.$inferSelect;
export type CallFilter = { campaignId?: string; status?: CallStatus };

/** Newest first. */
export function listCalls(
  db: Database,
  orgId: string,
  filter: CallFilter,
  page: KeysetPage<number>,
): Promise<CallRow[]> {
  const { conditions, orderBy, limit } = keyset(calls.number, page, "desc");
  const filters = [
    ...(filter.campaignId ? [eq(calls.campaignId, filter.campaignId)] : []),
    ...(filter.status ? [eq(calls.status, filter.status)] : []),
  ];
  return db
    .select()
    .from(calls)
    .where(and(eq(calls.orgId, orgId), ...filters, ...conditions))
    .orderBy(orderBy)
    .limit(limit);
}

export async function callsByIds(db: Database, orgId: string, ids: readonly string[]): Promise<CallRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(calls)
    .where(and(eq(calls.orgId, orgId), inArray(calls.id, valid)));
}
