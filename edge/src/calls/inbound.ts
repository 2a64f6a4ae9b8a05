import { agents, calls, contacts, phoneNumbers } from "@switchboard/schema";
import { inboundCallRequest } from "@switchboard/schema/internal/calls";
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { NotFoundError } from "../shared/errors.js";
import { parseInput } from "../shared/validate.js";

export type InboundCall = { callId: string; orgId: string };

/**
 * A call arrived on one of our numbers (media node → edge): the dialled number picks the organisation and
 * its agent, and the call is recorded as in progress. A number nobody owns, or one without an agent, is
 * not found. The media node may ask twice for the same jambonz call: it gets the same call back.
 */
export async function acceptInboundCall(db: Database, input: unknown, now: Date = new Date()): Promise<InboundCall> {
  const request = parseInput(inboundCallRequest, input, "Invalid inbound call");
  const existing = await callForSid(db, request.jambonz_call_sid);
  if (existing) return existing;
  const [line] = await db
    .select({ orgId: phoneNumbers.orgId, agentId: phoneNumbers.agentId, e164: phoneNumbers.e164 })
    .from(phoneNumbers)
    .innerJoin(agents, and(eq(agents.orgId, phoneNumbers.orgId), eq(agents.id, phoneNumbers.agentId)))
    .where(inArray(phoneNumbers.e164, numberForms(request.to)));
  if (!line?.agentId) throw new NotFoundError(`Phone number ${request.to}`);
  const caller = await callerContact(db, line.orgId, request.from);
  const [created] = await db
    .insert(calls)
    .values({
      orgId: line.orgId,
      agentId: line.agentId,
      contactId: caller,
      direction: "inbound",
      fromNumber: request.from,
      toNumber: line.e164,
      jambonzCallSid: request.jambonz_call_sid,
      status: "in_progress",
      attempts: 1,
      maxAttempts: 1,
      startedAt: now,
      answeredAt: now,
    })
    .onConflictDoNothing({ target: calls.jambonzCallSid })
    .returning({ callId: calls.id, orgId: calls.orgId });
  if (created) return created;
  // Lost a race with a concurrent request for the same jambonz call.
  const raced = await callForSid(db, request.jambonz_call_sid);
  if (!raced) throw new Error("inbound call neither inserted nor found");
  return raced;
}

async function callForSid(db: Database, sid: string): Promise<InboundCall | null> {
  const [row] = await db
    .select({ callId: calls.id, orgId: calls.orgId })
    .from(calls)
    .where(and(eq(calls.jambonzCallSid, sid), eq(calls.direction, "inbound")));
  return row ?? null;
}

/** jambonz may give the dialled number with or without its `+`. */
function numberForms(to: string): string[] {
  const digits =
    to
      .replace(/[\s().-]/g, "")
      .replace(/^sip:/, "")
      .split("@")[0] ?? "";
  const bare = digits.replace(/^\+/, "");
  return [`+${bare}`, bare];
}

async function callerContact(db: Database, orgId: string, from: string): Promise<string | null> {
  const [contact] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.orgId, orgId), eq(contacts.phone, from)))
    .limit(1);
  return contact?.id ?? null;
}
