import { beforeAll, describe, expect, it } from "vitest";
import { firstRow, useDatabase } from "../../support/database.js";
import { debtorRows, workbookBytes } from "../../support/excel.js";
import { createAccount, createBatch, expectDetail, expectOk, speechAi } from "./client.js";

/** The document's "Eliminar batch": `delete_jobs=false` cancels the jobs and keeps them, `true` deletes them. */

const db = useDatabase();
type Job = { job_id: string; status: string };

let account: string;
let nextOffset = 1_300_000 + Math.floor(Math.random() * 100_000) * 50;

/** A paused batch of 6 debtors with no call on the line (the emulated calls it started have ended), with its jobs. */
async function pausedBatch(): Promise<{ batchId: string; jobs: Job[] }> {
  nextOffset += 10;
  const { batch_id: batchId } = await createBatch(workbookBytes(debtorRows(6, 1, nextOffset)), account);
  expectOk(await speechAi("PATCH", `/batches/${batchId}`, { body: { is_active: false } }));
  await untilNoCallOnTheLine(batchId);
  const { jobs } = expectOk<{ jobs: Job[] }>(await speechAi("GET", `/batches/${batchId}/jobs`));
  return { batchId, jobs };
}

async function untilNoCallOnTheLine(batchId: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { total } = expectOk<{ total: number }>(await speechAi("GET", `/batches/${batchId}/jobs?status=in_progress`));
    if (total === 0) return;
    if (Date.now() > deadline) throw new Error(`batch ${batchId} still has ${total} call(s) on the line`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  account = await createAccount(100);
});

describe("DELETE /batches/{batch_id}", () => {
  it("without delete_jobs: the batch is gone, its jobs stay, those not dialled cancelled", async () => {
    const { batchId, jobs } = await pausedBatch();
    expect(expectOk(await speechAi("DELETE", `/batches/${batchId}?delete_jobs=false`))).toEqual({
      success: true,
      message: "Batch deleted",
    });
    expectDetail(await speechAi("GET", `/batches/${batchId}`), 404, /not found/);
    expectDetail(await speechAi("DELETE", `/batches/${batchId}`), 404);
    const list = expectOk<{ batches: Array<{ batch_id: string }> }>(
      await speechAi("GET", `/batches?account_id=${account}&limit=100`),
    );
    expect(list.batches.map((batch) => batch.batch_id)).not.toContain(batchId);
    for (const job of jobs) {
      const kept = expectOk<Job & { batch_id: string }>(await speechAi("GET", `/jobs/${job.job_id}`));
      expect(kept.batch_id).toBe(batchId);
      expect(["pending", "scheduled", "suspended", "in_progress"]).not.toContain(kept.status);
      if (job.status === "pending") expect(kept.status).toBe("cancelled");
    }
  });

  it("with delete_jobs=true: the batch and its jobs are gone", async () => {
    const { batchId, jobs } = await pausedBatch();
    expect(expectOk(await speechAi("DELETE", `/batches/${batchId}?delete_jobs=true`))).toEqual({
      success: true,
      message: "Batch deleted",
    });
    expectDetail(await speechAi("GET", `/batches/${batchId}`), 404);
    for (const job of jobs) expectDetail(await speechAi("GET", `/jobs/${job.job_id}`), 404);
  });

  it("refuses a batch with a call on the line (409) and changes nothing", async () => {
    const { batchId, jobs } = await pausedBatch();
    const job = jobs[0] as Job;
    const { id } = await firstRow<{ id: string }>(
      db(),
      "update calls set status = 'in_progress' where job_code = $1 returning id",
      [job.job_id],
    );
    try {
      expectDetail(await speechAi("DELETE", `/batches/${batchId}?delete_jobs=true`), 409, /on the line/);
      expect(expectOk<{ status: string }>(await speechAi("GET", `/batches/${batchId}`)).status).toBe("paused");
      const { total } = expectOk<{ total: number }>(await speechAi("GET", `/batches/${batchId}/jobs`));
      expect(total).toBe(jobs.length);
    } finally {
      await db().query("update calls set status = 'completed' where id = $1", [id]);
    }
    expectOk(await speechAi("DELETE", `/batches/${batchId}`));
  });

  it("is 422 for a delete_jobs that is no boolean", async () => {
    const { batchId } = await pausedBatch();
    const response = await speechAi("DELETE", `/batches/${batchId}?delete_jobs=maybe`);
    expect(response.status).toBe(422);
  });
});

describe("a path the document does not have", () => {
  it("is FastAPI's 404 in SpeechAI's envelope", async () => {
    for (const path of ["/nope", "/batches/x/y/z/w", "/accounts/acc-000000000000/nothing"]) {
      const response = await speechAi("GET", path);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ detail: "Not Found" });
    }
  });
});
