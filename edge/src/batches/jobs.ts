import { accounts, type CallStatus, calls, campaigns, contacts } from "@switchboard/schema";
import { and, asc, count, desc, eq, getTableColumns, inArray, isNotNull, type SQL } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { NotFoundError } from "../shared/errors.js";

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
