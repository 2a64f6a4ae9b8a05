import { ticketSequences, tickets, uploads } from "@switchboard/schema";
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.js";
import { ConflictError, NotFoundError, ValidationError } from "../shared/errors.js";
import { type KeysetPage, keyset } from "../shared/keyset.js";
import { parseInput } from "../shared/validate.js";
import { priorityFor, priorityScore, severityLevel, slaDeadlines } from "./priority.js";

export type Ticket = typeof tickets.$inferSelect;

export const TICKET_CODE = /^TKT-\d{4}-\d{6}$/;

const createTicketInput = z.object({
  category: z.string().trim().min(1).max(100),
  severity: z.string().trim().min(1).max(40),
  description: z.string().trim().min(1).max(5000),
  productSku: z.string().trim().min(1).max(100).optional(),
  customerRef: z.string().trim().min(1).max(100).optional(),
  attachmentCodes: z.array(z.string().min(1).max(100)).max(20).optional(),
  conversationId: z.string().uuid().optional(),
  createdByUserId: z.string().uuid().optional(),
  productAgeMonths: z.number().int().min(0).max(600).optional(),
  underWarranty: z.boolean().optional(),
  customerTier: z.enum(["standard", "premium", "vip"]).optional(),
});

export type CreateTicketInput = z.input<typeof createTicketInput>;

/**
 * Opens an SAV ticket: scores its priority, sets its SLA deadlines and numbers it `TKT-YYYY-NNNNNN` from the
 * organisation's counter for the year. Attachments must be uploads of the same organisation and, when a user
 * creates the ticket, that user's own.
 */
export async function createTicket(db: Database, orgId: string, input: CreateTicketInput): Promise<Ticket> {
  const data = parseInput(createTicketInput, input, "Invalid ticket");
  const severity = severityLevel(data.severity);
  if (!severity) {
    throw new ValidationError("Unknown severity", [
      { path: ["severity"], message: "Use faible/moyen/élevé/critique (or low/medium/high/critical)" },
    ]);
  }
  const attachmentCodes = [...new Set(data.attachmentCodes ?? [])];
  await assertOwnUploads(db, orgId, data.createdByUserId, attachmentCodes);
  const score = priorityScore({ ...data, severity });
  const priority = priorityFor(score, severity);
  const now = new Date();
  const deadlines = slaDeadlines(priority, now);
  return db.transaction(async (tx) => {
    const code = await nextTicketCode(tx as unknown as Database, orgId, now.getUTCFullYear());
    const [ticket] = await tx
      .insert(tickets)
      .values({
        orgId,
        code,
        category: data.category,
        severity: data.severity,
        description: data.description,
        productSku: data.productSku,
        customerRef: data.customerRef,
        conversationId: data.conversationId,
        createdByUserId: data.createdByUserId,
        attachmentCodes,
        priority,
        priorityScore: score,
        slaResponseDeadline: deadlines.response,
        slaInterventionDeadline: deadlines.intervention,
        createdAt: now,
      })
      .returning();
    if (!ticket) throw new Error("ticket insert returned nothing");
    return ticket;
  });
}

/**
 * The next number of the organisation's yearly sequence. The upsert takes the counter row's lock, so concurrent
 * tickets queue on it and each gets its own number; the caller's transaction holds the lock until the ticket exists.
 */
async function nextTicketCode(db: Database, orgId: string, year: number): Promise<string> {
  const [row] = await db
    .insert(ticketSequences)
    .values({ orgId, year, lastValue: 1 })
    .onConflictDoUpdate({
      target: [ticketSequences.orgId, ticketSequences.year],
      set: { lastValue: sql`${ticketSequences.lastValue} + 1` },
    })
    .returning({ value: ticketSequences.lastValue });
  if (!row) throw new Error("ticket sequence returned nothing");
  return `TKT-${year}-${String(row.value).padStart(6, "0")}`;
}

async function assertOwnUploads(
  db: Database,
  orgId: string,
  userId: string | undefined,
  codes: string[],
): Promise<void> {
  if (codes.length === 0) return;
  const owned = await db
    .select({ code: uploads.code, uploadedBy: uploads.uploadedByUserId })
    .from(uploads)
    .where(and(eq(uploads.orgId, orgId), inArray(uploads.code, codes)));
  const ownCodes = new Set(owned.filter((row) => !userId || row.uploadedBy === userId).map((row) => row.code));
  const foreign = codes.filter((code) => !ownCodes.has(code));
  if (foreign.length > 0) {
    throw new ValidationError("Attachments must be your own uploads", [
      { path: ["attachments"], message: `Unknown upload(s): ${foreign.join(", ")}` },
    ]);
  }
}

export async function getTicket(db: Database, orgId: string, code: string): Promise<Ticket> {
  if (!TICKET_CODE.test(code)) throw new NotFoundError("Ticket");
  const [ticket] = await db
    .select()
    .from(tickets)
    .where(and(eq(tickets.orgId, orgId), eq(tickets.code, code)));
  if (!ticket) throw new NotFoundError("Ticket");
  return ticket;
}

/** Newest first (codes sort by year, then number), keyset-paged by code. */
export async function listTickets(
  db: Database,
  orgId: string,
  page: KeysetPage<string>,
  status?: Ticket["status"],
): Promise<Ticket[]> {
  const { conditions, orderBy, limit } = keyset(tickets.code, page, "desc");
  return db
    .select()
    .from(tickets)
    .where(and(eq(tickets.orgId, orgId), status ? eq(tickets.status, status) : undefined, ...conditions))
    .orderBy(orderBy)
    .limit(limit);
}

/** Where a ticket may go next: a closed ticket is final; resolving or closing stamps `resolvedAt`, reopening clears it. */
export async function updateTicketStatus(
  db: Database,
  orgId: string,
  code: string,
  status: Ticket["status"],
): Promise<Ticket> {
  const current = await getTicket(db, orgId, code);
  if (current.status === "closed" && status !== "closed") throw new ConflictError(`Ticket ${code} is closed`);
  const ends = status === "resolved" || status === "closed";
  const [updated] = await db
    .update(tickets)
    .set({ status, updatedAt: new Date(), resolvedAt: ends ? (current.resolvedAt ?? new Date()) : null })
    .where(and(eq(tickets.orgId, orgId), eq(tickets.id, current.id)))
    .returning();
  if (!updated) throw new NotFoundError("Ticket");
  return updated;
}
