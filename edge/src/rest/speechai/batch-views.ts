import type { CallStatus, CampaignStatus } from "@switchboard/schema";
import type { Job } from "../../batches/jobs.js";
import type { CallSummary, CampaignView } from "../../campaigns/service.js";
import { cents, speechAiTimestamp } from "./format.js";

/** SpeechAI's JSON for batches and jobs, shared by the batch, job, dashboard and history endpoints. */

export const BATCH_STATUSES = ["active", "paused", "completed", "cancelled"] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** A batch waiting to be dialled or being dialled is `active`. */
const BATCH_STATUS: Record<CampaignStatus, BatchStatus> = {
  pending: "active",
  running: "active",
  paused: "paused",
  completed: "completed",
  cancelled: "cancelled",
};

export function batchStatusWord(status: CampaignStatus): BatchStatus {
  return BATCH_STATUS[status];
}

export const JOB_STATUSES = [
  "pending",
  "scheduled",
  "in_progress",
  "completed",
  "done",
  "failed",
  "suspended",
  "cancelled",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Each SpeechAI job word and the call statuses it covers (`done` is the document's alias of completed). */
const JOB_STATUS_CALLS: Record<JobStatus, readonly CallStatus[]> = {
  pending: ["pending"],
  scheduled: ["scheduled"],
  in_progress: ["calling", "ringing", "in_progress"],
  completed: ["completed"],
  done: ["completed"],
  failed: ["failed", "busy", "no_answer"],
  suspended: ["suspended"],
  cancelled: ["cancelled"],
};

export function callStatusesOf(word: JobStatus): readonly CallStatus[] {
  return JOB_STATUS_CALLS[word];
}

export function jobStatusWord(status: CallStatus): JobStatus {
  const entry = Object.entries(JOB_STATUS_CALLS).find(([, statuses]) => statuses.includes(status));
  return (entry?.[0] ?? "pending") as JobStatus;
}

const minutes = (durationMs: number) => Math.round((durationMs / 60_000) * 100) / 100;

/** A batch as listed. */
export function batchListItem(batch: CampaignView, accountCode: string | null, counts: CallSummary) {
  return {
    _id: batch.objectId,
    batch_id: batch.batchCode,
    name: batch.name,
    account_id: accountCode,
    total_jobs: counts.total,
    pending_jobs: counts.pending,
    completed_jobs: counts.completed,
    failed_jobs: counts.failed,
    is_active: batchStatusWord(batch.status) === "active",
    created_at: speechAiTimestamp(batch.createdAt),
  };
}

/** A batch read by id: the list's fields, with costs, priority and dates. */
export function batchDetail(batch: CampaignView, accountCode: string | null, counts: CallSummary) {
  const { _id, batch_id, name, account_id, is_active, created_at, ...jobCounts } = batchListItem(
    batch,
    accountCode,
    counts,
  );
  return {
    _id,
    batch_id,
    name,
    description: batch.description,
    account_id,
    ...jobCounts,
    suspended_jobs: counts.suspended,
    total_cost: cents(counts.cost),
    total_minutes: minutes(counts.durationMs),
    estimated_cost: cents(batch.estimatedCost),
    is_active,
    status: batchStatusWord(batch.status),
    priority: batch.priority,
    created_at,
    updated_at: speechAiTimestamp(batch.updatedAt),
  };
}

export function batchMinutes(counts: CallSummary): number {
  return minutes(counts.durationMs);
}

/** A job as listed (a batch's jobs, all jobs). */
export function jobListItem(job: Job) {
  return {
    _id: job.objectId,
    job_id: job.jobCode,
    batch_id: job.batchCode,
    status: jobStatusWord(job.status),
    contact: {
      name: job.contact?.name ?? null,
      dni: job.contact?.rut ?? null,
      phones: phonesOf(job),
    },
    attempts: job.attempts,
    created_at: speechAiTimestamp(job.createdAt),
  };
}

/** A job read by id: with the account, the debtor's payload and the attempt budget. */
export function jobDetail(job: Job) {
  const item = jobListItem(job);
  return {
    _id: item._id,
    job_id: item.job_id,
    batch_id: item.batch_id,
    account_id: job.accountCode,
    status: item.status,
    contact: { ...item.contact, next_phone_index: job.nextPhoneIndex },
    payload: job.payload,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    estimated_cost: job.estimatedCost,
    created_at: item.created_at,
  };
}

function phonesOf(job: Job): string[] {
  if (!job.contact) return [job.toNumber];
  return [job.contact.phone, ...(job.contact.alternatePhones ?? [])].filter((phone): phone is string => !!phone);
}
