import { beforeAll, describe, expect, it } from "vitest";
import {
  type Credential,
  createAccount,
  createBatch,
  excelForm,
  expectDetail,
  expectOk,
  speechAi,
} from "./conformance/speechai/client.js";
import { bearer, createApiKey, registerUser } from "./support/accounts.js";
import { debtorRows, workbookBytes } from "./support/excel.js";

/**
 * The SpeechAI surface keeps organisations apart: another organisation's admin (bearer token or API key) cannot
 * see, change or use the demo organisation's accounts, batches or jobs; they do not exist for it (404) and never
 * appear in its lists.
 */

let accountId: string;
let batchId: string;
let objectId: string;
let jobId: string;
let jobObjectId: string;
let attackers: Array<{ name: string; credential: Credential }>;

beforeAll(async () => {
  accountId = await createAccount(100);
  const offset = 1_200_000 + Math.floor(Math.random() * 100_000) * 20;
  batchId = (await createBatch(workbookBytes(debtorRows(3, 1, offset)), accountId)).batch_id;
  expectOk(await speechAi("PATCH", `/batches/${batchId}`, { body: { is_active: false } }));
  objectId = expectOk<{ _id: string }>(await speechAi("GET", `/batches/${batchId}`))._id;
  const jobs = expectOk<{ jobs: Array<{ job_id: string; _id: string }> }>(
    await speechAi("GET", `/batches/${batchId}/jobs`),
  );
  jobId = jobs.jobs[0]?.job_id as string;
  jobObjectId = jobs.jobs[0]?._id as string;
  const stranger = await registerUser("speechai-tenant");
  const key = await createApiKey(bearer(stranger.accessToken), {
    scopes: ["BILLING_MANAGE", "CAMPAIGNS_READ", "CAMPAIGNS_WRITE", "CALLS_READ"],
  });
  attackers = [
    { name: "another organisation's owner", credential: bearer(stranger.accessToken) },
    { name: "another organisation's API key", credential: { "x-api-key": key.secret } },
  ];
});

describe.each(["another organisation's owner", "another organisation's API key"])("%s", (name) => {
  const credential = () =>
    (attackers.find((attacker) => attacker.name === name) as { credential: Credential }).credential;
  const as = (method: string, path: string, body?: unknown) =>
    speechAi(method, path, { credential: credential(), ...(body === undefined ? {} : { body }) });

  it("cannot read, top up, suspend or list the account", async () => {
    for (const path of ["", "/balance", "/transactions"])
      expectDetail(await as("GET", `/accounts/${accountId}${path}`), 404);
    expectDetail(await as("POST", `/accounts/${accountId}/topup`, { credits: 5 }), 404);
    expectDetail(await as("PUT", `/accounts/${accountId}/suspend`), 404);
    expectDetail(await as("PUT", `/accounts/${accountId}/activate`), 404);
    const list = expectOk<{ accounts: Array<{ account_id: string }> }>(await as("GET", "/accounts?limit=1000"));
    expect(list.accounts.map((account) => account.account_id)).not.toContain(accountId);
    expectDetail(await as("GET", `/batches?account_id=${accountId}`), 404);
  });

  it("cannot import into the account, nor preview against it", async () => {
    const bytes = workbookBytes(debtorRows(2, 1, 1_999_000));
    for (const path of ["/batches/excel/create", "/batches/excel/preview", "/batches/chile/debt_collection"]) {
      expectDetail(
        await speechAi("POST", path, {
          credential: credential(),
          rawBody: excelForm(bytes, { account_id: accountId }),
        }),
        404,
      );
    }
  });

  it("cannot see or touch the batch, by either id", async () => {
    for (const id of [batchId, objectId]) {
      for (const path of ["", "/summary", "/jobs"]) expectDetail(await as("GET", `/batches/${id}${path}`), 404);
      expectDetail(await as("PATCH", `/batches/${id}`, { is_active: true }), 404);
      expectDetail(await as("PUT", `/batches/${id}/pause`), 404);
      expectDetail(await as("PUT", `/batches/${id}/resume`), 404);
      expectDetail(await as("POST", `/batches/${id}/cancel?reason=x`), 404);
      expectDetail(await as("DELETE", `/batches/${id}?delete_jobs=true`), 404);
      expectDetail(await as("DELETE", `/batches/${id}`), 404);
    }
    const list = expectOk<{ batches: Array<{ batch_id: string }> }>(await as("GET", "/batches?limit=1000"));
    expect(list.batches.map((batch) => batch.batch_id)).not.toContain(batchId);
  });

  it("cannot see, retry or delete the job, by either id", async () => {
    for (const id of [jobId, jobObjectId]) {
      expectDetail(await as("GET", `/jobs/${id}`), 404);
      expectDetail(await as("PUT", `/jobs/${id}/retry`), 404);
      expectDetail(await as("DELETE", `/jobs/${id}`), 404);
    }
    const list = expectOk<{ jobs: Array<{ job_id: string }> }>(await as("GET", "/jobs?limit=1000"));
    expect(list.jobs.map((job) => job.job_id)).not.toContain(jobId);
  });
});

describe.each(["another organisation's owner", "another organisation's API key"])("%s, on the dashboard", (name) => {
  const credential = () =>
    (attackers.find((attacker) => attacker.name === name) as { credential: Credential }).credential;

  it("cannot read the account's statistics, overview or call history", async () => {
    for (const path of ["/dashboard/stats", "/dashboard/overview", "/calls/history"]) {
      expectDetail(await speechAi("GET", `${path}?account_id=${accountId}`, { credential: credential() }), 404);
    }
    const history = expectOk<{ calls: Array<{ batch_id: string }> }>(
      await speechAi("GET", "/calls/history?limit=1000", { credential: credential() }),
    );
    expect(history.calls.map((call) => call.batch_id)).not.toContain(batchId);
    const stats = expectOk<{ total_batches: number }>(
      await speechAi("GET", "/dashboard/stats", { credential: credential() }),
    );
    expect(stats.total_batches).toBe(0);
  });
});

describe("afterwards, for the owner", () => {
  it("the account, batch and job are untouched", async () => {
    expect(expectOk(await speechAi("GET", `/accounts/${accountId}`))).toMatchObject({ status: "active" });
    const ledger = expectOk<{ transactions: Array<{ type: string }> }>(
      await speechAi("GET", `/accounts/${accountId}/transactions?limit=1000`),
    );
    // Only the initial credits: the calls dialled before the pause may have reserved and charged, nobody topped up.
    expect(ledger.transactions.filter((entry) => entry.type === "topup_credits")).toHaveLength(1);
    expect(expectOk(await speechAi("GET", `/batches/${batchId}`))).toMatchObject({ status: "paused", total_jobs: 3 });
    expectOk(await speechAi("GET", `/jobs/${jobId}`));
  });
});
