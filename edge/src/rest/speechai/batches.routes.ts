import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { listJobPage } from "../../batches/jobs.js";
import { type BatchImportOptions, createBatch, previewBatch } from "../../batches/service.js";
import { BATCH_COUNTRIES, type BatchCountryRoute, USE_CASE_IDS, USE_CASES } from "../../batches/use-cases.js";
import { accountsByIds, findAccount } from "../../billing/service.js";
import { applyCampaignAction, setCampaignActive, updateCampaign } from "../../campaigns/commands.js";
import { discardCampaign } from "../../campaigns/discard.js";
import { campaignEffects } from "../../campaigns/effects.js";
import {
  batchRef,
  type CampaignView,
  campaignCallSummaries,
  campaignCallSummary,
  findCampaign,
  listCampaignPage,
} from "../../campaigns/service.js";
import type { AppBindings } from "../../http/app-types.js";
import { timelineOf } from "../../stats/service.js";
import { caller } from "./auth.js";
import {
  BATCH_STATUSES,
  batchDetail,
  batchListItem,
  batchMinutes,
  batchStatusWord,
  callStatusesOf,
  JOB_STATUSES,
  jobListItem,
} from "./batch-views.js";
import { invalidRequest } from "./errors.js";
import { cents, speechAiTimestamp } from "./format.js";
import {
  AUTHENTICATED_ERRORS,
  BAD_REQUEST,
  BatchIdParams,
  errorResponse,
  json,
  jsonBody,
  NOT_FOUND,
  pagingQuery,
  SPEECHAI_SECURITY,
  Timestamp,
} from "./schemas.js";
import type { SpeechAiApp } from "./surface.js";

const tags = ["SpeechAI: Batches"];
const security = SPEECHAI_SECURITY;
type Ctx = Context<AppBindings>;

/** pydantic's spellings of a form boolean. */
const FormBoolean = z.enum(["true", "false", "1", "0", "yes", "no", "on", "off", "True", "False"]);
const isTrue = (value: z.infer<typeof FormBoolean> | undefined) =>
  ["true", "1", "yes", "on", "True"].includes(value ?? "");

const ExcelForm = z.object({
  file: z.any().openapi({ type: "string", format: "binary", description: "Excel file (.xlsx, .xls), 4 MiB at most" }),
  account_id: z.string().min(1).max(100).openapi({ example: "retail_express" }),
  batch_name: z.string().max(200).optional(),
  batch_description: z.string().max(500).optional(),
  allow_duplicates: FormBoolean.optional().openapi({ example: "false" }),
  processing_type: z.enum(["basic", "acquisition"]).optional(),
  dias_fecha_limite: z.coerce.number().int().min(0).max(3650).optional(),
  /** Marketing (the `{use_case}` routes): the offer told to the contact. Not named by the document. */
  offer_description: z.string().max(2000).optional(),
  discount: z.coerce.number().min(0).max(100).optional(),
});
type ExcelFields = z.infer<typeof ExcelForm>;

const formBody = { body: { content: { "multipart/form-data": { schema: ExcelForm } }, required: true } };

const FILE_ERRORS = {
  400: errorResponse(
    "UNSUPPORTED_FILE, UNREADABLE_FILE, EMPTY_FILE, MISSING_COLUMNS, TOO_MANY_ROWS, NOTHING_TO_IMPORT, INSUFFICIENT_CREDIT, INVALID_ACCOUNT_STATUS",
  ),
  413: errorResponse("FILE_TOO_LARGE: over 4 MiB"),
  ...NOT_FOUND,
  ...AUTHENTICATED_ERRORS,
};

const Created = z
  .object({
    success: z.literal(true),
    batch_id: z.string().openapi({ example: "batch-2025-10-25-144129-862530" }),
    batch_name: z.string(),
    total_debtors: z.number().int(),
    total_jobs: z.number().int(),
    estimated_cost: z.number(),
    duplicates_found: z.number().int(),
    created_at: Timestamp,
  })
  .openapi("SpeechAiBatchCreated");

const Preview = z
  .object({
    success: z.literal(true),
    filename: z.string(),
    preview: z.object({
      total_rows: z.number().int(),
      valid_rows: z.number().int(),
      invalid_rows: z.number().int(),
      duplicates: z.number().int(),
      estimated_cost: z.number(),
      total_debtors: z.number().int(),
      issues: z.array(z.object({ row: z.number().int(), status: z.string(), reasons: z.array(z.string()) })),
    }),
  })
  .openapi("SpeechAiBatchPreview");

const BatchListItem = z.object({
  _id: z.string().openapi({ example: "68fd0cdc8ac7d47a518bc017" }),
  batch_id: z.string().nullable(),
  name: z.string(),
  account_id: z.string().nullable(),
  total_jobs: z.number().int(),
  pending_jobs: z.number().int(),
  completed_jobs: z.number().int(),
  failed_jobs: z.number().int(),
  is_active: z.boolean(),
  created_at: Timestamp,
});

const BatchDetail = BatchListItem.extend({
  description: z.string().nullable(),
  suspended_jobs: z.number().int(),
  total_cost: z.number(),
  total_minutes: z.number(),
  estimated_cost: z.number(),
  status: z.enum(BATCH_STATUSES),
  priority: z.number().int(),
  updated_at: Timestamp,
}).openapi("SpeechAiBatch");

const JobListItem = z.object({
  _id: z.string(),
  job_id: z.string().nullable(),
  batch_id: z.string().nullable(),
  status: z.enum(JOB_STATUSES),
  contact: z.object({ name: z.string().nullable(), dni: z.string().nullable(), phones: z.array(z.string()) }),
  attempts: z.number().int(),
  created_at: Timestamp,
});

const PatchBody = z
  .object({
    is_active: z.boolean().optional(),
    name: z.string().optional(),
    description: z.string().nullable().optional(),
    priority: z.number().int().optional(),
  })
  .openapi("SpeechAiBatchUpdate");

const ActionResult = z.object({
  success: z.literal(true),
  message: z.string(),
  batch_id: z.string(),
  updated_fields: z.array(z.string()).optional(),
});

const batchRoute = (method: "get" | "put" | "post" | "patch" | "delete", path: string, summary: string) => ({
  method,
  path: `/batches/{batch_id}${path}`,
  tags,
  summary,
  security,
});

const useCasesRoute = createRoute({
  method: "get",
  path: "/use-cases",
  tags: ["SpeechAI: Use cases"],
  summary: "Listar casos de uso disponibles",
  security,
  responses: {
    200: json(
      z.object({ use_cases: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })) }),
      "The use cases",
    ),
    ...AUTHENTICATED_ERRORS,
  },
});

const excelCreateRoute = createRoute({
  method: "post",
  path: "/batches/excel/create",
  tags,
  summary: "Crear batch desde Excel",
  description: "One job per debtor; the batch is active at once (its calls start).",
  security,
  request: formBody,
  responses: { 200: json(Created, "Batch created"), ...FILE_ERRORS },
});

const excelPreviewRoute = createRoute({
  method: "post",
  path: "/batches/excel/preview",
  tags,
  summary: "Vista previa de Excel",
  security,
  request: formBody,
  responses: { 200: json(Preview, "What the file would create; nothing is written"), ...FILE_ERRORS },
});

const countryCreateRoute = createRoute({
  method: "post",
  path: "/batches/{country}/{use_case}",
  tags,
  summary: "Crear batch para Chile o Argentina (por caso de uso)",
  description: "Phones are read for the route's country. Marketing needs `offer_description` and `discount` (0–100).",
  security,
  request: {
    params: z.object({
      country: z.enum(Object.keys(BATCH_COUNTRIES) as [BatchCountryRoute, ...BatchCountryRoute[]]),
      use_case: z.enum(USE_CASE_IDS),
    }),
    ...formBody,
  },
  responses: { 200: json(Created, "Batch created"), ...FILE_ERRORS },
});

const listRoute = createRoute({
  method: "get",
  path: "/batches",
  tags,
  summary: "Listar batches",
  security,
  request: { query: z.object({ account_id: z.string().max(100).optional(), ...pagingQuery(50) }) },
  responses: {
    200: json(z.object({ batches: z.array(BatchListItem), total: z.number().int() }), "Newest first"),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const getRoute = createRoute({
  ...batchRoute("get", "", "Obtener batch"),
  description: "`batch_id` is the batch code (`batch-…`) or the 24-hex object id.",
  request: { params: BatchIdParams },
  responses: { 200: json(BatchDetail, "The batch"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const summaryRoute = createRoute({
  ...batchRoute("get", "/summary", "Obtener resumen de batch"),
  request: { params: BatchIdParams },
  responses: {
    200: json(
      z.object({
        batch_id: z.string().nullable(),
        name: z.string(),
        status: z.enum(BATCH_STATUSES),
        total_jobs: z.number().int(),
        pending_jobs: z.number().int(),
        completed_jobs: z.number().int(),
        completion_rate: z.number(),
        total_cost: z.number(),
        total_minutes: z.number(),
        hourly_stats: z.array(z.object({ hour: Timestamp, calls: z.number().int(), leads: z.number().int() })),
      }),
      "Counts, completion (%) and calls per hour",
    ),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const patchRoute = createRoute({
  ...batchRoute("patch", "", "Actualizar batch (pausar/reanudar)"),
  request: { params: BatchIdParams, ...jsonBody(PatchBody) },
  responses: { 200: json(ActionResult, "Updated"), ...BAD_REQUEST, ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const pauseRoute = createRoute({
  ...batchRoute("put", "/pause", "Pausar batch (legacy)"),
  request: { params: BatchIdParams },
  responses: { 200: json(ActionResult, "Paused"), ...BAD_REQUEST, ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const resumeRoute = createRoute({
  ...batchRoute("put", "/resume", "Reanudar batch (legacy)"),
  request: { params: BatchIdParams },
  responses: { 200: json(ActionResult, "Active again"), ...BAD_REQUEST, ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const cancelRoute = createRoute({
  ...batchRoute("post", "/cancel", "Cancelar batch (permanente)"),
  description: "Waiting jobs are cancelled; calls on the line finish.",
  request: { params: BatchIdParams, query: z.object({ reason: z.string().max(500).optional() }) },
  responses: {
    200: json(z.object({ success: z.literal(true), message: z.string(), reason: z.string().nullable() }), "Cancelled"),
    ...BAD_REQUEST,
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const deleteRoute = createRoute({
  ...batchRoute("delete", "", "Eliminar batch"),
  description:
    "`delete_jobs=true` deletes the batch's jobs with their transcripts and recordings; `false` (default) cancels " +
    "the jobs not yet dialled and keeps every job in the history. A batch with calls on the line is refused (409): " +
    "cancel it, then delete it once they have ended.",
  request: { params: BatchIdParams, query: z.object({ delete_jobs: FormBoolean.optional() }) },
  responses: {
    200: json(z.object({ success: z.literal(true), message: z.string() }), "Deleted"),
    409: errorResponse("Calls on the line"),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const jobsRoute = createRoute({
  ...batchRoute("get", "/jobs", "Obtener jobs de un batch"),
  request: {
    params: BatchIdParams,
    query: z.object({ status: z.enum(JOB_STATUSES).optional(), ...pagingQuery(100) }),
  },
  responses: {
    200: json(z.object({ jobs: z.array(JobListItem), total: z.number().int() }), "In dialling order"),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

function effectsOf(c: Ctx) {
  return campaignEffects(c.var.env, (work) => c.executionCtx.waitUntil(work));
}

async function accountCodeOf(c: Ctx, orgId: string, batch: CampaignView): Promise<string | null> {
  const [account] = await accountsByIds(c.var.database.db, orgId, [batch.accountId]);
  return account?.code ?? null;
}

/** The form in the importer's words; the file must be a file part. */
async function importInput(fields: ExcelFields, extra: Partial<BatchImportOptions> = {}) {
  const file: unknown = fields.file;
  if (!(file instanceof File)) {
    throw invalidRequest([{ loc: ["body", "file"], msg: "field required", type: "value_error.missing" }]);
  }
  const offer =
    fields.offer_description !== undefined || fields.discount !== undefined
      ? { description: fields.offer_description ?? "", discount: fields.discount ?? 0 }
      : undefined;
  return {
    bytes: new Uint8Array(await file.arrayBuffer()),
    fileName: file.name || "upload.xlsx",
    account: fields.account_id,
    allowDuplicates: isTrue(fields.allow_duplicates),
    processingType: fields.processing_type,
    deadlineDays: fields.dias_fecha_limite,
    name: fields.batch_name,
    description: fields.batch_description,
    offer,
    ...extra,
  } satisfies BatchImportOptions & { bytes: Uint8Array };
}

/** Creates the batch and starts it: a SpeechAI batch is active from its creation. */
async function createAndStart(c: Ctx, orgId: string, input: Awaited<ReturnType<typeof importInput>>) {
  const created = await createBatch(c.var.database.db, orgId, input);
  await applyCampaignAction(c.var.database.db, orgId, { id: created.campaignId }, "start", effectsOf(c));
  return {
    success: true as const,
    batch_id: created.batchCode,
    batch_name: created.name,
    total_debtors: created.totalDebtors,
    total_jobs: created.totalJobs,
    estimated_cost: created.estimatedCost,
    duplicates_found: created.duplicatesFound,
    created_at: speechAiTimestamp(created.createdAt),
  };
}

function setActive(c: Ctx, orgId: string, batch: CampaignView, active: boolean): Promise<void> {
  return setCampaignActive(c.var.database.db, orgId, batch, active, effectsOf(c));
}

async function legacyToggle(c: Ctx, active: boolean) {
  const { orgId } = caller(c, "campaigns:write");
  const batch = await findCampaign(c.var.database.db, orgId, batchRef(c.req.param("batch_id") ?? ""));
  await setActive(c, orgId, batch, active);
  return {
    success: true as const,
    message: active ? "Batch resumed" : "Batch paused",
    batch_id: batch.objectId,
  };
}

export function registerBatchRoutes(app: SpeechAiApp): void {
  app.openapi(useCasesRoute, (c) => {
    caller(c);
    const use_cases = USE_CASES.map(({ id, name, description }) => ({ id, name, description }));
    return c.json({ use_cases }, 200);
  });

  app.openapi(excelCreateRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:write");
    return c.json(await createAndStart(c, orgId, await importInput(c.req.valid("form"))), 200);
  });

  app.openapi(excelPreviewRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:read");
    const preview = await previewBatch(c.var.database.db, orgId, await importInput(c.req.valid("form")));
    return c.json(
      {
        success: true as const,
        filename: preview.fileName,
        preview: {
          total_rows: preview.totalRows,
          valid_rows: preview.validRows,
          invalid_rows: preview.invalidRows,
          duplicates: preview.duplicates,
          estimated_cost: preview.estimatedCost,
          total_debtors: preview.totalDebtors,
          issues: preview.issues.map(({ row, status, reasons }) => ({ row, status, reasons })),
        },
      },
      200,
    );
  });

  app.openapi(listRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:read");
    const { account_id, limit, skip } = c.req.valid("query");
    const db = c.var.database.db;
    const account = account_id ? await findAccount(db, orgId, { code: account_id }) : undefined;
    const page = await listCampaignPage(
      db,
      orgId,
      { accountId: account?.id, batchesOnly: true },
      { limit, offset: skip },
    );
    const counts = await campaignCallSummaries(
      db,
      orgId,
      page.rows.map((batch) => batch.id),
    );
    const codes = new Map(
      (await accountsByIds(db, orgId, [...new Set(page.rows.map((batch) => batch.accountId))])).map((row) => [
        row.id,
        row.code,
      ]),
    );
    const batches = page.rows.map((batch) => {
      const summary = counts.get(batch.id);
      if (!summary) throw new Error(`no call summary for ${batch.id}`);
      return batchListItem(batch, codes.get(batch.accountId) ?? null, summary);
    });
    return c.json({ batches, total: page.total }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:read");
    const db = c.var.database.db;
    const batch = await findCampaign(db, orgId, batchRef(c.req.valid("param").batch_id));
    const counts = await campaignCallSummary(db, orgId, batch.id);
    return c.json(batchDetail(batch, await accountCodeOf(c, orgId, batch), counts), 200);
  });

  app.openapi(summaryRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:read");
    const db = c.var.database.db;
    const batch = await findCampaign(db, orgId, batchRef(c.req.valid("param").batch_id));
    const counts = await campaignCallSummary(db, orgId, batch.id);
    const hours = await timelineOf(db, orgId, batch.id, 60);
    return c.json(
      {
        batch_id: batch.batchCode,
        name: batch.name,
        status: batchStatusWord(batch.status),
        total_jobs: counts.total,
        pending_jobs: counts.pending,
        completed_jobs: counts.completed,
        completion_rate: counts.total === 0 ? 0 : Math.round((counts.completed / counts.total) * 1000) / 10,
        total_cost: cents(counts.cost),
        total_minutes: batchMinutes(counts),
        hourly_stats: hours.map((bucket) => ({
          hour: speechAiTimestamp(bucket.startsAt),
          calls: bucket.calls,
          leads: bucket.leads,
        })),
      },
      200,
    );
  });

  app.openapi(patchRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:write");
    const db = c.var.database.db;
    const body = c.req.valid("json");
    const batch = await findCampaign(db, orgId, batchRef(c.req.valid("param").batch_id));
    const fields = Object.fromEntries(
      Object.entries({ name: body.name, description: body.description, priority: body.priority }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    // Pause before editing and edit before resuming: a paused or new batch takes every field.
    if (body.is_active === false) await setActive(c, orgId, batch, false);
    if (Object.keys(fields).length > 0) await updateCampaign(db, orgId, { id: batch.id }, fields);
    if (body.is_active === true) await setActive(c, orgId, batch, true);
    const changed = [...(body.is_active === undefined ? [] : ["is_active"]), ...Object.keys(fields)];
    const message =
      body.is_active === false ? "Batch paused" : body.is_active === true ? "Batch resumed" : "Batch updated";
    return c.json(
      { success: true as const, message, batch_id: batch.objectId, updated_fields: [...changed, "updated_at"] },
      200,
    );
  });

  app.openapi(pauseRoute, async (c) => c.json(await legacyToggle(c, false), 200));
  app.openapi(resumeRoute, async (c) => c.json(await legacyToggle(c, true), 200));

  app.openapi(cancelRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:write");
    const { reason } = c.req.valid("query");
    const ref = batchRef(c.req.valid("param").batch_id);
    await applyCampaignAction(c.var.database.db, orgId, ref, "stop", effectsOf(c), { cancelReason: reason });
    return c.json({ success: true as const, message: "Batch cancelled successfully", reason: reason ?? null }, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:write");
    const ref = batchRef(c.req.valid("param").batch_id);
    const deleteCalls = isTrue(c.req.valid("query").delete_jobs);
    await discardCampaign(c.var.database.db, orgId, ref, { deleteCalls }, effectsOf(c));
    return c.json({ success: true as const, message: "Batch deleted" }, 200);
  });

  app.openapi(jobsRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:read");
    const db = c.var.database.db;
    const { status, limit, skip } = c.req.valid("query");
    const batch = await findCampaign(db, orgId, batchRef(c.req.valid("param").batch_id));
    const statuses = status ? callStatusesOf(status) : undefined;
    const page = await listJobPage(
      db,
      orgId,
      { campaignId: batch.id, statuses },
      { limit, offset: skip, order: "dialling" },
    );
    return c.json({ jobs: page.rows.map(jobListItem), total: page.total }, 200);
  });

  // Last: `/batches/{country}/{use_case}` would otherwise catch POST /batches/{batch_id}/cancel.
  app.openapi(countryCreateRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:write");
    const { country, use_case } = c.req.valid("param");
    const input = await importInput(c.req.valid("form"), { country: BATCH_COUNTRIES[country], useCase: use_case });
    return c.json(await createAndStart(c, orgId, input), 200);
  });
}
