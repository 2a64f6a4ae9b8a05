import { beforeAll, describe, expect, it } from "vitest";
import { debtorRows, workbookBytes } from "../../support/excel.js";
import {
  createAccount,
  createBatch,
  excelForm,
  expectDetail,
  expectOk,
  expectValidation,
  speechAi,
  TIMESTAMP,
} from "./client.js";

/** The document's "Batches (Campañas)" and "Use Cases" examples, replayed against the worker. */

const BATCH_CODE = /^batch-\d{4}-\d{2}-\d{2}-\d{6}-\d{6}$/;
const OBJECT_ID = /^[0-9a-f]{24}$/;
const JOB_WORDS = ["pending", "scheduled", "in_progress", "completed", "failed", "suspended", "cancelled"];

/** Debtors whose RUTs no other test file uses, so the per-account duplicate rule never meets them. */
let nextOffset = 700_000 + Math.floor(Math.random() * 100_000) * 50;
function twelveDebtors(): Uint8Array {
  nextOffset += 20;
  return workbookBytes(debtorRows(12, 1, nextOffset));
}

describe("use cases", () => {
  it("lists debt_collection and marketing as documented", async () => {
    expect(expectOk(await speechAi("GET", "/use-cases"))).toEqual({
      use_cases: [
        {
          id: "debt_collection",
          name: "Cobranza de Deudas",
          description: "Llamadas automáticas para recordar pagos pendientes",
        },
        { id: "marketing", name: "Marketing", description: "Campañas de marketing y promociones" },
      ],
    });
  });
});

describe("excel preview and create", () => {
  let account: string;
  beforeAll(async () => {
    account = await createAccount(100);
  });

  it("previews a 12-debtor file: the document's figures, nothing written", async () => {
    const response = await speechAi("POST", "/batches/excel/preview", {
      rawBody: excelForm(twelveDebtors(), { account_id: account }),
    });
    expect(expectOk(response)).toEqual({
      success: true,
      filename: "contactos.xlsx",
      preview: {
        total_rows: 12,
        valid_rows: 12,
        invalid_rows: 0,
        duplicates: 0,
        estimated_cost: 5.64,
        total_debtors: 12,
        issues: [],
      },
    });
    const list = expectOk<{ total: number }>(await speechAi("GET", `/batches?account_id=${account}`));
    expect(list.total).toBe(0);
  });

  it("creates a batch as the frontend's FormData example does", async () => {
    const response = await speechAi("POST", "/batches/excel/create", {
      rawBody: excelForm(twelveDebtors(), {
        account_id: account,
        batch_name: "Campaña Octubre",
        allow_duplicates: "false",
      }),
    });
    expect(expectOk(response)).toEqual({
      success: true,
      batch_id: expect.stringMatching(BATCH_CODE),
      batch_name: "Campaña Octubre",
      total_debtors: 12,
      total_jobs: 12,
      estimated_cost: 5.64,
      duplicates_found: 0,
      created_at: expect.stringMatching(TIMESTAMP),
    });
  });

  it("drops debtors already in an active batch of the account, and refuses a file with nothing new", async () => {
    const bytes = twelveDebtors();
    await createBatch(bytes, account);
    const preview = expectOk<{ preview: { duplicates: number; valid_rows: number } }>(
      await speechAi("POST", "/batches/excel/preview", { rawBody: excelForm(bytes, { account_id: account }) }),
    );
    expect(preview.preview).toMatchObject({ duplicates: 12, valid_rows: 0 });
    expectDetail(
      await speechAi("POST", "/batches/excel/create", { rawBody: excelForm(bytes, { account_id: account }) }),
      400,
      /Nothing to import/,
    );
    const again = expectOk<{ duplicates_found: number; total_jobs: number }>(
      await speechAi("POST", "/batches/excel/create", {
        rawBody: excelForm(bytes, { account_id: account, allow_duplicates: "true" }),
      }),
    );
    expect(again).toMatchObject({ duplicates_found: 0, total_jobs: 12 });
  });

  it("creates through the chile and argentina use-case routes", async () => {
    const chile = expectOk<{ batch_id: string }>(
      await speechAi("POST", "/batches/chile/debt_collection", {
        rawBody: excelForm(twelveDebtors(), { account_id: account }),
      }),
    );
    expect(chile.batch_id).toMatch(BATCH_CODE);
    const marketing = expectOk<{ total_jobs: number }>(
      await speechAi("POST", "/batches/chile/marketing", {
        rawBody: excelForm(twelveDebtors(), {
          account_id: account,
          offer_description: "20% de descuento en su próxima compra",
          discount: "20",
        }),
      }),
    );
    expect(marketing.total_jobs).toBe(12);
    const noOffer = expectValidation(
      await speechAi("POST", "/batches/chile/marketing", {
        rawBody: excelForm(twelveDebtors(), { account_id: account }),
      }),
    );
    expect(noOffer[0]?.loc).toEqual(["body", "offer"]);
    // Chilean mobiles are not Argentine numbers: every row is invalid there.
    const argentina = await speechAi("POST", "/batches/argentina/debt_collection", {
      rawBody: excelForm(twelveDebtors(), { account_id: account }),
    });
    expectDetail(argentina, 400, /Nothing to import/);
    expectValidation(
      await speechAi("POST", "/batches/peru/debt_collection", {
        rawBody: excelForm(twelveDebtors(), { account_id: account }),
      }),
    );
    expectValidation(
      await speechAi("POST", "/batches/chile/lottery", {
        rawBody: excelForm(twelveDebtors(), { account_id: account }),
      }),
    );
  });

  it("answers bad files and fields with FastAPI-style 4xx, writing nothing", async () => {
    const noFile = new FormData();
    noFile.append("account_id", account);
    const missingFile = expectValidation(await speechAi("POST", "/batches/excel/create", { rawBody: noFile }));
    expect(missingFile).toEqual([{ loc: ["body", "file"], msg: "field required", type: "value_error.missing" }]);
    const noAccount = expectValidation(
      await speechAi("POST", "/batches/excel/preview", { rawBody: excelForm(twelveDebtors(), {}) }),
    );
    expect(noAccount).toContainEqual({
      loc: ["body", "account_id"],
      msg: "field required",
      type: "value_error.missing",
    });
    const corrupt = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expectDetail(
      await speechAi("POST", "/batches/excel/create", { rawBody: excelForm(corrupt, { account_id: account }) }),
      400,
    );
    const csv = new TextEncoder().encode("rut,nombre\n1-9,Juan\n");
    expectDetail(
      await speechAi("POST", "/batches/excel/preview", {
        rawBody: excelForm(csv, { account_id: account }, "contactos.csv"),
      }),
      400,
    );
    const large = new Uint8Array(4_300_000);
    expectDetail(
      await speechAi("POST", "/batches/excel/create", { rawBody: excelForm(large, { account_id: account }) }),
      413,
    );
    expectDetail(
      await speechAi("POST", "/batches/excel/create", {
        rawBody: excelForm(twelveDebtors(), { account_id: "acc-000000000000" }),
      }),
      404,
    );
    expectValidation(
      await speechAi("POST", "/batches/excel/create", {
        rawBody: excelForm(twelveDebtors(), { account_id: account, dias_fecha_limite: "soon" }),
      }),
    );
  });

  it("refuses a batch the account cannot pay for, and one on a suspended account", async () => {
    const poor = await createAccount(1);
    expectDetail(
      await speechAi("POST", "/batches/excel/create", { rawBody: excelForm(twelveDebtors(), { account_id: poor }) }),
      400,
      /Insufficient credit/,
    );
    const suspended = await createAccount(100);
    expectOk(await speechAi("PUT", `/accounts/${suspended}/suspend`));
    expectDetail(
      await speechAi("POST", "/batches/excel/create", {
        rawBody: excelForm(twelveDebtors(), { account_id: suspended }),
      }),
      400,
      /suspended/,
    );
    const list = expectOk<{ total: number }>(await speechAi("GET", `/batches?account_id=${poor}`));
    expect(list.total).toBe(0);
  });
});

describe("a batch's life", () => {
  let account: string;
  let batchId: string;
  let objectId: string;

  beforeAll(async () => {
    account = await createAccount(100);
    batchId = (await createBatch(twelveDebtors(), account)).batch_id;
  });

  it("lists the account's batches with the documented fields", async () => {
    const list = expectOk<{ batches: Array<Record<string, unknown>>; total: number }>(
      await speechAi("GET", `/batches?account_id=${account}&limit=50&skip=0`),
    );
    expect(list.total).toBe(1);
    expect(list.batches[0]).toEqual({
      _id: expect.stringMatching(OBJECT_ID),
      batch_id: batchId,
      name: "Testing GG Group",
      account_id: account,
      total_jobs: 12,
      pending_jobs: expect.any(Number),
      completed_jobs: expect.any(Number),
      failed_jobs: expect.any(Number),
      is_active: true,
      created_at: expect.stringMatching(TIMESTAMP),
    });
    objectId = list.batches[0]?._id as string;
    const all = expectOk<{ batches: Array<{ batch_id: string }> }>(await speechAi("GET", "/batches?limit=1000"));
    expect(all.batches.map((batch) => batch.batch_id)).toContain(batchId);
  });

  it("reads the batch by its batch code and by its object id", async () => {
    const byCode = expectOk<Record<string, unknown>>(await speechAi("GET", `/batches/${batchId}`));
    expect(byCode).toEqual({
      _id: objectId,
      batch_id: batchId,
      name: "Testing GG Group",
      description: "testing",
      account_id: account,
      total_jobs: 12,
      pending_jobs: expect.any(Number),
      completed_jobs: expect.any(Number),
      failed_jobs: expect.any(Number),
      suspended_jobs: expect.any(Number),
      total_cost: expect.any(Number),
      total_minutes: expect.any(Number),
      estimated_cost: 5.64,
      is_active: true,
      status: "active",
      priority: 1,
      created_at: expect.stringMatching(TIMESTAMP),
      updated_at: expect.stringMatching(TIMESTAMP),
    });
    const byObjectId = expectOk<Record<string, unknown>>(await speechAi("GET", `/batches/${objectId}`));
    expect(byObjectId._id).toBe(objectId);
    expect(byObjectId.batch_id).toBe(batchId);
  });

  it("summarises the batch", async () => {
    const summary = expectOk<Record<string, unknown>>(await speechAi("GET", `/batches/${batchId}/summary`));
    expect(summary).toEqual({
      batch_id: batchId,
      name: "Testing GG Group",
      status: "active",
      total_jobs: 12,
      pending_jobs: expect.any(Number),
      completed_jobs: expect.any(Number),
      completion_rate: expect.any(Number),
      total_cost: expect.any(Number),
      total_minutes: expect.any(Number),
      hourly_stats: expect.any(Array),
    });
  });

  it("lists the batch's jobs with their debtors, filtered by status", async () => {
    const jobs = expectOk<{ jobs: Array<Record<string, unknown>>; total: number }>(
      await speechAi("GET", `/batches/${batchId}/jobs?limit=50&skip=0`),
    );
    expect(jobs.total).toBe(12);
    expect(jobs.jobs).toHaveLength(12);
    expect(jobs.jobs[0]).toEqual({
      _id: expect.stringMatching(OBJECT_ID),
      job_id: expect.stringMatching(/^job-[0-9a-f]{16}$/),
      batch_id: batchId,
      status: expect.any(String),
      contact: { name: expect.stringMatching(/^Deudor /), dni: expect.any(String), phones: expect.any(Array) },
      attempts: expect.any(Number),
      created_at: expect.stringMatching(TIMESTAMP),
    });
    for (const job of jobs.jobs) expect(JOB_WORDS).toContain(job.status);
    const first = jobs.jobs[0] as { contact: { phones: string[] } };
    expect(first.contact.phones[0]).toMatch(/^\+569\d{8}$/);
    const page = expectOk<{ jobs: unknown[]; total: number }>(
      await speechAi("GET", `/batches/${batchId}/jobs?limit=5&skip=10`),
    );
    expect(page).toMatchObject({ total: 12 });
    expect(page.jobs).toHaveLength(2);
    const cancelled = expectOk<{ total: number }>(await speechAi("GET", `/batches/${batchId}/jobs?status=cancelled`));
    expect(cancelled.total).toBe(0);
    expectValidation(await speechAi("GET", `/batches/${batchId}/jobs?status=lost`));
  });

  it("pauses and resumes with PATCH, then with the legacy PUTs, and updates fields", async () => {
    const paused = expectOk(await speechAi("PATCH", `/batches/${batchId}`, { body: { is_active: false } }));
    expect(paused).toEqual({
      success: true,
      message: "Batch paused",
      batch_id: objectId,
      updated_fields: ["is_active", "updated_at"],
    });
    expect(expectOk(await speechAi("GET", `/batches/${objectId}`))).toMatchObject({
      is_active: false,
      status: "paused",
    });
    const many = expectOk(
      await speechAi("PATCH", `/batches/${batchId}`, {
        body: { is_active: false, name: "Campaña Actualizada", description: "Nueva descripción", priority: 2 },
      }),
    );
    expect(many).toMatchObject({
      message: "Batch paused",
      updated_fields: ["is_active", "name", "description", "priority", "updated_at"],
    });
    expect(expectOk(await speechAi("GET", `/batches/${batchId}`))).toMatchObject({
      name: "Campaña Actualizada",
      description: "Nueva descripción",
      priority: 2,
      status: "paused",
    });
    const resumed = expectOk(await speechAi("PATCH", `/batches/${objectId}`, { body: { is_active: true } }));
    expect(resumed).toMatchObject({ success: true, message: "Batch resumed" });
    expect(expectOk(await speechAi("GET", `/batches/${batchId}`))).toMatchObject({ is_active: true });
    expect(expectOk(await speechAi("PUT", `/batches/${batchId}/pause`))).toMatchObject({ message: "Batch paused" });
    expect(expectOk(await speechAi("GET", `/batches/${batchId}`))).toMatchObject({ status: "paused" });
    expect(expectOk(await speechAi("PUT", `/batches/${batchId}/resume`))).toMatchObject({ message: "Batch resumed" });
    expect(expectOk(await speechAi("GET", `/batches/${batchId}`))).toMatchObject({ status: "active" });
    expectValidation(await speechAi("PATCH", `/batches/${batchId}`, { body: { is_active: "maybe" } }));
  });

  it("cancels with a reason: permanent, waiting jobs cancelled", async () => {
    const cancelled = expectOk(await speechAi("POST", `/batches/${batchId}/cancel?reason=Motivo+de+cancelación`));
    expect(cancelled).toEqual({
      success: true,
      message: "Batch cancelled successfully",
      reason: "Motivo de cancelación",
    });
    const batch = expectOk<{ status: string; is_active: boolean; pending_jobs: number }>(
      await speechAi("GET", `/batches/${batchId}`),
    );
    expect(batch).toMatchObject({ status: "cancelled", is_active: false, pending_jobs: 0 });
    const jobs = expectOk<{ jobs: Array<{ status: string }> }>(await speechAi("GET", `/batches/${batchId}/jobs`));
    expect(jobs.jobs.some((job) => job.status === "cancelled")).toBe(true);
    for (const job of jobs.jobs) expect(["pending", "scheduled", "suspended"]).not.toContain(job.status);
    expectDetail(await speechAi("PATCH", `/batches/${batchId}`, { body: { is_active: true } }), 400);
    expectDetail(await speechAi("POST", `/batches/${batchId}/cancel`), 400);
  });

  it("is 404 for an unknown batch, in either id form", async () => {
    for (const id of ["batch-2000-01-01-000000-000000", "0123456789abcdef01234567"]) {
      expectDetail(await speechAi("GET", `/batches/${id}`), 404, /not found/);
      expectDetail(await speechAi("GET", `/batches/${id}/summary`), 404);
      expectDetail(await speechAi("GET", `/batches/${id}/jobs`), 404);
      expectDetail(await speechAi("PATCH", `/batches/${id}`, { body: { is_active: false } }), 404);
      expectDetail(await speechAi("POST", `/batches/${id}/cancel`), 404);
    }
    expectDetail(await speechAi("GET", "/batches?account_id=acc-000000000000"), 404);
  });
});
