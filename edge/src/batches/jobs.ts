import { accounts, type CallStatus, type CampaignStatus, calls, campaigns, contacts } from "@switchboard/schema";
import { and, asc, count, desc, eq, getTableColumns, inArray, isNotNull, type SQL, sql } from "drizzle-orm";
import { ACTIVE_STATUSES, FAILED_STATUSES } from "../calls/status-groups.js";
import type { Database, Transaction } from "../db/client.js";
import { DomainError, NotFoundError } from "../shared/errors.js";

/**
 * A batch's jobs are its calls (SpeechAI's word). This read model gives them with what SpeechAI shows beside
 * each: the debtor (name, RUT, phones), the batch code and the account code. Only calls of batches are jobs.
 */

export type Job = typeof calls.$inferSelect & {
  batchCode: string;
  accountCode: string | null;
  contact: { name: string | null; rut: string | null; phone: string | null; alternatePhones: string[] | null } | null;
};

export type JobFilter = {
  campaignId?: string | undefined;
  /** The billing account's uuid. */
  accountId?: string | undefined;
  statuses?: readonly CallStatus[] | undefined;
};

/** `dialling`: a batch's jobs in the order they are called; `newest`: most recent first (all jobs, history). */
export type JobOrder = "dialling" | "newest";

function selectJobs(db: Pick<Database, "select">) {
  return db
    .select({
      ...getTableColumns(calls),
      batchCode: campaigns.batchCode,
      accountCode: accounts.code,
      contact: {
        name: contacts.firstName,
        rut: contacts.externalRef,
        phone: contacts.phone,
        alternatePhones: contacts.alternatePhones,
      },
    })
    .from(calls)
    .innerJoin(campaigns, eq(campaigns.id, calls.campaignId))
    .leftJoin(contacts, eq(contacts.id, calls.contactId))
    .leftJoin(accounts, eq(accounts.id, calls.accountId));
}

function jobConditions(orgId: string, filter: JobFilter): SQL | undefined {
  return and(
    eq(calls.orgId, orgId),
    isNotNull(campaigns.batchCode),
    filter.campaignId ? eq(calls.campaignId, filter.campaignId) : undefined,
    filter.accountId ? eq(calls.accountId, filter.accountId) : undefined,
    filter.statuses ? inArray(calls.status, [...filter.statuses]) : undefined,
  );
}

/** Offset-paged, with the total for the same filter. */
export async function listJobPage(
  db: Database,
  orgId: string,
  filter: JobFilter,
  page: { limit: number; offset: number; order: JobOrder },
): Promise<{ total: number; rows: Job[] }> {
  const where = jobConditions(orgId, filter);
  const [totals] = await db
    .select({ total: count() })
    .from(calls)
    .innerJoin(campaigns, eq(campaigns.id, calls.campaignId))
    .where(where);
  const rows = await selectJobs(db)
    .where(where)
    .orderBy(page.order === "dialling" ? asc(calls.number) : desc(calls.number))
    .limit(page.limit)
    .offset(page.offset);
  return { total: totals?.total ?? 0, rows: rows as Job[] };
}

/** By SpeechAI's job id (`job-…`) or its 24-hex object id; another organisation's job is NotFoundError. */
export async function findJob(db: Pick<Database, "select">, orgId: string, jobId: string): Promise<Job> {
  const match = /^[0-9a-f]{24}$/.test(jobId) ? eq(calls.objectId, jobId) : eq(calls.jobCode, jobId);
  const [row] = await selectJobs(db).where(and(jobConditions(orgId, {}), match));
  if (!row) throw new NotFoundError(`Job ${jobId}`);
  return row as Job;
}

/** A job's state does not allow what was asked (retry a job on the line, delete one being dialled…). */
export class JobStateError extends DomainError {
  constructor(message: string) {
    super("INVALID_JOB_STATE", message);
  }
}

/** Jobs that ended without reaching anyone, or were cancelled: the ones a retry makes sense for. */
const RETRYABLE: readonly CallStatus[] = [...FAILED_STATUSES, "cancelled"];
/** A batch whose dialer still runs; a finished batch's jobs stay as they ended. */
const OPEN_BATCH: readonly CampaignStatus[] = ["pending", "running", "paused"];

/**
 * Puts an ended job back in line with one more dial allowed; returns its batch's campaign id (its dialer is to
 * be woken). Only in a batch that is not finished.
 */
export async function retryJob(db: Database, orgId: string, jobId: string): Promise<{ campaignId: string }> {
  return db.transaction(async (tx) => {
    const job = await lockedJob(tx, orgId, jobId);
    if (!RETRYABLE.includes(job.status)) throw new JobStateError(`Job ${jobId} is ${job.status}; it cannot be retried`);
    if (!OPEN_BATCH.includes(job.campaignStatus)) {
      throw new JobStateError(`Batch of job ${jobId} is ${job.campaignStatus}; its jobs cannot be retried`);
    }
    await tx
      .update(calls)
      .set({
        status: "pending",
        result: null,
        nextAttemptAt: null,
        maxAttempts: sql`greatest(${calls.maxAttempts}, ${calls.attempts} + 1)`,
        updatedAt: new Date(),
      })
      .where(and(eq(calls.orgId, orgId), eq(calls.id, job.id)));
    return { campaignId: job.campaignId };
  });
}

/** Removes a job that is not on the line (nothing reserved for it), with its attempts and transcript. */
export async function deleteJob(db: Database, orgId: string, jobId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const job = await lockedJob(tx, orgId, jobId);
    if ((ACTIVE_STATUSES as readonly CallStatus[]).includes(job.status) || job.reservedCredit > 0) {
      throw new JobStateError(`Job ${jobId} is on the line; it cannot be deleted until it ends`);
    }
    await tx.delete(calls).where(and(eq(calls.orgId, orgId), eq(calls.id, job.id)));
  });
}

async function lockedJob(tx: Transaction, orgId: string, jobId: string) {
  const match = /^[0-9a-f]{24}$/.test(jobId) ? eq(calls.objectId, jobId) : eq(calls.jobCode, jobId);
  const [row] = await tx
    .select({
      id: calls.id,
      status: calls.status,
      reservedCredit: calls.reservedCredit,
      campaignId: campaigns.id,
      campaignStatus: campaigns.status,
    })
    .from(calls)
    .innerJoin(campaigns, eq(campaigns.id, calls.campaignId))
    .where(and(eq(calls.orgId, orgId), isNotNull(campaigns.batchCode), match))
    .for("no key update", { of: calls });
  if (!row) throw new NotFoundError(`Job ${jobId}`);
  return row;
}
