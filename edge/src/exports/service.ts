import { type CallResult, type CallStatus, calls, callTurns, contacts } from "@switchboard/schema";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { ContactCard } from "../contacts/service.js";
import type { Database } from "../db/client.js";
import { NotFoundError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";

/** Rows per database round trip while streaming an export: small enough to keep memory flat. */
export const EXPORT_PAGE_SIZE = 2_000;

/** One call of a campaign export, with its contact and what can be downloaded for it. */
export type ExportedCall = {
  id: string;
  number: number;
  status: CallStatus;
  result: CallResult | null;
  durationMs: number | null;
  sentiment: string | null;
  confidence: number | null;
  amdResult: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  hasRecording: boolean;
  hasTranscript: boolean;
  contact: ContactCard;
};

/**
 * A campaign's calls in dialling order, one page per database query (keyset on calls.number), so an
 * export of any size holds one page at a time. Pages are separate statements, not one snapshot:
 * a call that changes while the file streams appears as it was when its page was read.
 */
export async function* campaignCallPages(
  db: Database,
  orgId: string,
  campaignId: string,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<ExportedCall[]> {
  let after = 0;
  while (true) {
    const page = await selectCallPage(db, orgId, campaignId, after, pageSize);
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    after = last.number;
  }
}

async function selectCallPage(
  db: Database,
  orgId: string,
  campaignId: string,
  afterNumber: number,
  limit: number,
): Promise<ExportedCall[]> {
  const rows = await db
    .select({
      id: calls.id,
      number: calls.number,
      status: calls.status,
      result: calls.result,
      durationMs: calls.durationMs,
      sentiment: calls.sentiment,
      confidence: calls.confidence,
      amdResult: calls.amdResult,
      metadata: calls.metadata,
      createdAt: calls.createdAt,
      answeredAt: calls.answeredAt,
      endedAt: calls.endedAt,
      hasRecording: sql<boolean>`${calls.recordingKey} is not null`,
      hasTranscript: sql<boolean>`exists (select 1 from ${callTurns} where ${callTurns.orgId} = ${calls.orgId} and ${callTurns.callId} = ${calls.id})`,
      // The contact may have been deleted since (contact_id is then null): the dialled number stands in.
      phone: sql<string>`coalesce(${contacts.phone}, ${calls.toNumber})`,
      firstName: contacts.firstName,
      lastName: contacts.lastName,
      email: contacts.email,
      company: contacts.company,
    })
    .from(calls)
    .leftJoin(contacts, and(eq(contacts.orgId, calls.orgId), eq(contacts.id, calls.contactId)))
    .where(and(eq(calls.orgId, orgId), eq(calls.campaignId, campaignId), gt(calls.number, afterNumber)))
    .orderBy(asc(calls.number))
    .limit(limit);
  return rows.map(({ phone, firstName, lastName, email, company, ...call }) => ({
    ...call,
    contact: { phone, firstName, lastName, email, company },
  }));
}

export type TranscriptTurn = { speaker: "agent" | "contact" | "system"; text: string; spokenAt: Date };

export type CallTranscript = {
  callId: string;
  durationMs: number | null;
  sentiment: string | null;
  turns: TranscriptTurn[];
};

/** The caller's call with its turns in order; NotFoundError when the call is unknown or nothing was said. */
export async function callTranscript(db: Database, orgId: string, callUuid: string): Promise<CallTranscript> {
  const notFound = new NotFoundError(`Transcript for call ${callUuid}`);
  if (!isUuid(callUuid)) throw notFound;
  const [call] = await db
    .select({ id: calls.id, durationMs: calls.durationMs, sentiment: calls.sentiment })
    .from(calls)
    .where(and(eq(calls.orgId, orgId), eq(calls.id, callUuid)));
  if (!call) throw notFound;
  const turns = await db
    .select({ speaker: callTurns.speaker, text: callTurns.text, spokenAt: callTurns.spokenAt })
    .from(callTurns)
    .where(and(eq(callTurns.orgId, orgId), eq(callTurns.callId, call.id)))
    .orderBy(asc(callTurns.sequence));
  if (turns.length === 0) throw notFound;
  return { callId: call.id, durationMs: call.durationMs, sentiment: call.sentiment, turns };
}
