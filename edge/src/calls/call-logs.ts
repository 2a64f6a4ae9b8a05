import { type CallStatus, calls, callTurns } from "@switchboard/schema";
import { and, asc, count, desc, eq, gte, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { NotFoundError } from "../shared/errors.js";
import { isUuid, uuidEquals } from "../shared/ids.js";
import type { CallRow } from "./service.js";

/** The number on the other end of the line: the caller of an inbound call, else the number dialled. */
export const partyNumber = sql<string>`case when ${calls.direction} = 'inbound' then coalesce(${calls.fromNumber}, ${calls.toNumber}) else ${calls.toNumber} end`;

export type CallLogFilter = {
  campaignId?: string | undefined;
  agentId?: string | undefined;
  statuses?: readonly CallStatus[] | undefined;
  phoneNumber?: string | undefined;
  /** Inclusive bounds on when the call was created. */
  from?: Date | undefined;
  to?: Date | undefined;
};

/** The conditions of a call-log filter, always inside the organisation. Ids that are no uuid match nothing. */
export function callLogConditions(orgId: string, filter: CallLogFilter): SQL | undefined {
  return and(
    eq(calls.orgId, orgId),
    filter.campaignId !== undefined ? uuidEquals(calls.campaignId, filter.campaignId) : undefined,
    filter.agentId !== undefined ? uuidEquals(calls.agentId, filter.agentId) : undefined,
    filter.statuses ? inArray(calls.status, [...filter.statuses]) : undefined,
    filter.phoneNumber !== undefined ? sql`${partyNumber} = ${filter.phoneNumber}` : undefined,
    filter.from ? gte(calls.createdAt, filter.from) : undefined,
    filter.to ? lte(calls.createdAt, filter.to) : undefined,
  );
}

export type CallTurnText = { callId: string; speaker: "agent" | "contact" | "system"; text: string };
export type CallLog = CallRow & { phoneNumber: string; turns: CallTurnText[] };

/** Newest first, offset-paged, with the total for the same filter, each call with its transcript turns. */
export async function listCallLogPage(
  db: Database,
  orgId: string,
  filter: CallLogFilter,
  page: { limit: number; offset: number },
): Promise<{ total: number; rows: CallLog[] }> {
  const where = callLogConditions(orgId, filter);
  const [totals] = await db.select({ total: count() }).from(calls).where(where);
  const rows = await db
    .select({ call: calls, phoneNumber: partyNumber })
    .from(calls)
    .where(where)
    .orderBy(desc(calls.createdAt), desc(calls.number))
    .limit(page.limit)
    .offset(page.offset);
  const turns = await turnsOfCalls(
    db,
    orgId,
    rows.map((row) => row.call.id),
  );
  return {
    total: totals?.total ?? 0,
    rows: rows.map((row) => ({ ...row.call, phoneNumber: row.phoneNumber, turns: turns.get(row.call.id) ?? [] })),
  };
}

/** One of the organisation's calls with its transcript turns; NotFoundError otherwise. */
export async function findCallLog(db: Database, orgId: string, callId: string): Promise<CallLog> {
  if (!isUuid(callId)) throw new NotFoundError(`Call ${callId}`);
  const [row] = await db
    .select({ call: calls, phoneNumber: partyNumber })
    .from(calls)
    .where(and(eq(calls.orgId, orgId), eq(calls.id, callId)));
  if (!row) throw new NotFoundError(`Call ${callId}`);
  const turns = await turnsOfCalls(db, orgId, [row.call.id]);
  return { ...row.call, phoneNumber: row.phoneNumber, turns: turns.get(row.call.id) ?? [] };
}

/** The turns of some calls, in spoken order, grouped by call. */
export async function turnsOfCalls(
  db: Database,
  orgId: string,
  callIds: string[],
): Promise<Map<string, CallTurnText[]>> {
  const byCall = new Map<string, CallTurnText[]>();
  if (callIds.length === 0) return byCall;
  const turns = await db
    .select({ callId: callTurns.callId, speaker: callTurns.speaker, text: callTurns.text })
    .from(callTurns)
    .where(and(eq(callTurns.orgId, orgId), inArray(callTurns.callId, callIds)))
    .orderBy(asc(callTurns.callId), asc(callTurns.sequence));
  for (const turn of turns) {
    const list = byCall.get(turn.callId) ?? [];
    list.push(turn);
    byCall.set(turn.callId, list);
  }
  return byCall;
}
