import { type CallResult, type CallStatus, calls, contacts } from "@switchboard/schema";
import { and, asc, count, eq, getTableColumns, inArray } from "drizzle-orm";
import type { ContactCard } from "../contacts/service.js";
import type { Database } from "../db/client.js";
import { isUuid } from "../shared/ids.js";
import { type KeysetPage, keyset } from "../shared/keyset.js";

export type CallRow = typeof calls.$inferSelect;
export type CallFilter = { campaignId?: string; status?: CallStatus; result?: CallResult };
/** A call with the contact fields every listing and export shows. */
export type CallWithContact = CallRow & { contact: ContactCard | null };

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
    ...(filter.result ? [eq(calls.result, filter.result)] : []),
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

/** A campaign's calls in dialling order, offset-paged, with the total for the same filter (MiniBotPanel's list). */
export async function listCampaignCallPage(
  db: Database,
  orgId: string,
  campaignId: string,
  filter: { statuses?: readonly CallStatus[] | undefined; result?: CallResult | undefined },
  page: { limit: number; offset: number },
): Promise<{ total: number; rows: CallWithContact[] }> {
  const where = and(
    eq(calls.orgId, orgId),
    eq(calls.campaignId, campaignId),
    filter.statuses ? inArray(calls.status, [...filter.statuses]) : undefined,
    filter.result ? eq(calls.result, filter.result) : undefined,
  );
  const [totals] = await db.select({ total: count() }).from(calls).where(where);
  const rows = await db
    .select({
      ...getTableColumns(calls),
      contact: {
        phone: contacts.phone,
        firstName: contacts.firstName,
        lastName: contacts.lastName,
        email: contacts.email,
        company: contacts.company,
      },
    })
    .from(calls)
    .leftJoin(contacts, eq(contacts.id, calls.contactId))
    .where(where)
    .orderBy(asc(calls.number))
    .limit(page.limit)
    .offset(page.offset);
  return { total: totals?.total ?? 0, rows };
}
