import { beforeAll, describe, expect, it } from "vitest";
import { firstRow, useDatabase } from "../../support/database.js";
import { debtorRows, workbookBytes } from "../../support/excel.js";
import { createAccount, createBatch, expectDetail, expectOk, expectValidation, speechAi, TIMESTAMP } from "./client.js";

/** The document's "Dashboard & Reportes" examples, on an account of their own. */

const db = useDatabase();
let account: string;
let batchId: string;
let jobId: string;

/** The account's figures straight from the tables, to compare the endpoints with. */
async function expected() {
  return firstRow<{ jobs: number; spent: number; minutes: number; charged: number }>(
    db(),
    `select count(*)::int as jobs, coalesce(sum(c.cost), 0)::float8 as spent,
            coalesce(sum(c.duration_ms), 0)::float8 / 60000 as minutes, count(*) filter (where c.cost > 0)::int as charged
     from calls c join campaigns k on k.id = c.campaign_id join accounts a on a.id = k.account_id where a.code = $1`,
    [account],
  );
}

/** Waits for the calls dialled before the pause to end, so costs stop changing under the comparison. */
async function callsOffTheLine(): Promise<void> {
  for (let tries = 0; tries < 240; tries += 1) {
    const { active } = await firstRow<{ active: number }>(
      db(),
      `select count(*)::int as active from calls c join campaigns k on k.id = c.campaign_id
       where k.batch_code = $1 and (c.status in ('calling', 'ringing', 'in_progress') or c.reserved_credit > 0)`,
      [batchId],
    );
    if (active === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`calls of ${batchId} still on the line after 2 minutes`);
}

beforeAll(async () => {
  account = await createAccount(100);
  const offset = 1_500_000 + Math.floor(Math.random() * 100_000) * 20;
  batchId = (await createBatch(workbookBytes(debtorRows(12, 1, offset)), account)).batch_id;
  expectOk(await speechAi("PATCH", `/batches/${batchId}`, { body: { is_active: false } }));
  const pending = expectOk<{ jobs: Array<{ job_id: string }> }>(
    await speechAi("GET", `/batches/${batchId}/jobs?status=pending`),
  );
  jobId = pending.jobs[0]?.job_id as string;
  await callsOffTheLine();
  // One call ended as the document's history example: 45 s, 0.47 charged.
  await db().query(
    "update calls set status = 'completed', attempts = 1, duration_ms = 45000, cost = 0.47 where job_code = $1",
    [jobId],
  );
});

describe("dashboard", () => {
  it("gives the account's statistics", async () => {
    const stats = expectOk<Record<string, number>>(await speechAi("GET", `/dashboard/stats?account_id=${account}`));
    const figures = await expected();
    expect(stats).toEqual({
      total_batches: 1,
      active_batches: 0,
      total_jobs: 12,
      pending_jobs: expect.any(Number),
      completed_jobs: expect.any(Number),
      failed_jobs: expect.any(Number),
      total_cost: Math.round(figures.spent * 100) / 100,
      total_minutes: Math.round(figures.minutes * 100) / 100,
    });
    expect(stats.completed_jobs).toBeGreaterThanOrEqual(1);
    expect((stats.pending_jobs ?? 0) + (stats.completed_jobs ?? 0) + (stats.failed_jobs ?? 0)).toBeLessThanOrEqual(12);
    const all = expectOk<{ total_batches: number }>(await speechAi("GET", "/dashboard/stats"));
    expect(all.total_batches).toBeGreaterThanOrEqual(1);
  });

  it("gives the account's overview", async () => {
    const overview = expectOk<Record<string, unknown>>(
      await speechAi("GET", `/dashboard/overview?account_id=${account}`),
    );
    const figures = await expected();
    expect(overview).toEqual({
      account: { account_id: account, credit_balance: expect.any(Number) },
      batches: { total: 1, active: 0, paused: 1, completed: 0 },
      jobs: {
        total: figures.jobs,
        pending: expect.any(Number),
        in_progress: expect.any(Number),
        completed: expect.any(Number),
        failed: expect.any(Number),
      },
      costs: {
        total_spent: Math.round(figures.spent * 100) / 100,
        total_minutes: Math.round(figures.minutes * 100) / 100,
        average_per_call: Math.round((figures.spent / figures.charged) * 100) / 100,
      },
      recent_activity: [],
    });
  });

  it("lists the calls made, newest first, with the documented fields", async () => {
    const history = expectOk<{ calls: Array<Record<string, unknown>>; total: number }>(
      await speechAi("GET", `/calls/history?account_id=${account}&limit=50&skip=0`),
    );
    expect(history.total).toBeGreaterThanOrEqual(1);
    const call = history.calls.find((entry) => entry.job_id === jobId);
    expect(call).toEqual({
      call_id: expect.any(String),
      job_id: jobId,
      batch_id: batchId,
      contact_name: expect.stringMatching(/^Deudor /),
      phone: expect.stringMatching(/^\+569\d{8}$/),
      status: "ended",
      duration_ms: 45000,
      cost: 0.47,
      created_at: expect.stringMatching(TIMESTAMP),
    });
    for (const entry of history.calls) expect(["ongoing", "ended", "error"]).toContain(entry.status);
  });

  it("answers an unknown account with 404 and bad paging with 422", async () => {
    for (const path of ["/dashboard/stats", "/dashboard/overview", "/calls/history"]) {
      expectDetail(await speechAi("GET", `${path}?account_id=acc-000000000000`), 404);
    }
    expectValidation(await speechAi("GET", "/calls/history?limit=0"));
  });
});
