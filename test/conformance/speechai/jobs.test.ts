import { beforeAll, describe, expect, it } from "vitest";
import { useDatabase } from "../../support/database.js";
import { debtorRows, workbookBytes } from "../../support/excel.js";
import { createAccount, createBatch, expectDetail, expectOk, expectValidation, speechAi, TIMESTAMP } from "./client.js";

/** The document's "Jobs (Llamadas Individuales)" examples: a job is one call of a batch. */

const db = useDatabase();
type Job = { _id: string; job_id: string; status: string };

let account: string;
let batchId: string;
let pending: Job[];

beforeAll(async () => {
  account = await createAccount(100);
  const offset = 900_000 + Math.floor(Math.random() * 100_000) * 20;
  batchId = (await createBatch(workbookBytes(debtorRows(20, 2, offset)), account)).batch_id;
  // Paused at once, so the jobs the dialer has not reached stay pending for the test.
  expectOk(await speechAi("PATCH", `/batches/${batchId}`, { body: { is_active: false } }));
  const list = expectOk<{ jobs: Job[] }>(await speechAi("GET", `/batches/${batchId}/jobs?status=pending`));
  pending = list.jobs;
  expect(pending.length).toBeGreaterThanOrEqual(3);
});

describe("jobs", () => {
  it("lists the organisation's jobs newest first, filtered by status", async () => {
    const all = expectOk<{ jobs: Job[]; total: number }>(await speechAi("GET", "/jobs?limit=1000&skip=0"));
    expect(all.total).toBeGreaterThanOrEqual(20);
    const ids = all.jobs.map((job) => job.job_id);
    for (const job of pending) expect(ids).toContain(job.job_id);
    const pendingOnly = expectOk<{ jobs: Job[]; total: number }>(
      await speechAi("GET", "/jobs?status=pending&limit=50&skip=0"),
    );
    for (const job of pendingOnly.jobs) expect(job.status).toBe("pending");
    expectValidation(await speechAi("GET", "/jobs?status=ringing"));
    expectValidation(await speechAi("GET", "/jobs?limit=abc"));
  });

  it("reads a job by its job id and by its object id, with the debtor and payload", async () => {
    const job = pending[0] as Job;
    const detail = expectOk<Record<string, unknown>>(await speechAi("GET", `/jobs/${job.job_id}`));
    expect(detail).toEqual({
      _id: job._id,
      job_id: job.job_id,
      batch_id: batchId,
      account_id: account,
      status: "pending",
      contact: {
        name: expect.stringMatching(/^Deudor /),
        dni: expect.any(String),
        phones: expect.arrayContaining([expect.stringMatching(/^\+569\d{8}$/)]),
        next_phone_index: 0,
      },
      payload: expect.objectContaining({ debt_amount: 3001, company_name: "Retail Express" }),
      attempts: 0,
      max_attempts: expect.any(Number),
      estimated_cost: 0.47,
      created_at: expect.stringMatching(TIMESTAMP),
    });
    expect(expectOk(await speechAi("GET", `/jobs/${job._id}`))).toEqual(detail);
  });

  it("retries a failed job of an open batch, and refuses a job that is still waiting", async () => {
    const job = pending[1] as Job;
    expectDetail(await speechAi("PUT", `/jobs/${job.job_id}/retry`), 400, /cannot be retried/);
    await db().query(
      "update calls set status = 'failed', attempts = max_attempts, result = 'failed' where job_code = $1",
      [job.job_id],
    );
    expect(expectOk(await speechAi("GET", `/jobs/${job.job_id}`))).toMatchObject({ status: "failed" });
    expect(expectOk(await speechAi("PUT", `/jobs/${job.job_id}/retry`))).toEqual({
      success: true,
      message: "Job will be retried",
    });
    const retried = expectOk<{ status: string; attempts: number; max_attempts: number }>(
      await speechAi("GET", `/jobs/${job.job_id}`),
    );
    expect(retried.status).toBe("pending");
    expect(retried.max_attempts).toBeGreaterThan(retried.attempts);
  });

  it("deletes a job: gone from its batch afterwards", async () => {
    const job = pending[2] as Job;
    const before = expectOk<{ total: number }>(await speechAi("GET", `/batches/${batchId}/jobs`));
    expect(expectOk(await speechAi("DELETE", `/jobs/${job.job_id}`))).toEqual({
      success: true,
      message: "Job cancelled",
    });
    expectDetail(await speechAi("GET", `/jobs/${job.job_id}`), 404, /not found/);
    expectDetail(await speechAi("DELETE", `/jobs/${job.job_id}`), 404);
    const after = expectOk<{ total: number }>(await speechAi("GET", `/batches/${batchId}/jobs`));
    expect(after.total).toBe(before.total - 1);
  });

  it("refuses a job on the line, and any retry once the batch is cancelled", async () => {
    const job = pending[0] as Job;
    await db().query("update calls set status = 'ringing' where job_code = $1", [job.job_id]);
    expectDetail(await speechAi("DELETE", `/jobs/${job.job_id}`), 400, /on the line/);
    await db().query("update calls set status = 'pending' where job_code = $1", [job.job_id]);
    expectOk(await speechAi("POST", `/batches/${batchId}/cancel?reason=fin`));
    expect(expectOk(await speechAi("GET", `/jobs/${job.job_id}`))).toMatchObject({ status: "cancelled" });
    expectDetail(await speechAi("PUT", `/jobs/${job.job_id}/retry`), 400, /cancelled/);
  });

  it("is 404 for unknown jobs in either id form", async () => {
    for (const id of ["job-0000000000000000", "0123456789abcdef01234567"]) {
      expectDetail(await speechAi("GET", `/jobs/${id}`), 404);
      expectDetail(await speechAi("PUT", `/jobs/${id}/retry`), 404);
      expectDetail(await speechAi("DELETE", `/jobs/${id}`), 404);
    }
  });
});
