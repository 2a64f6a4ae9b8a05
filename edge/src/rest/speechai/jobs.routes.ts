import { createRoute, z } from "@hono/zod-openapi";
import { deleteJob, findJob, listJobPage, retryJob } from "../../batches/jobs.js";
import { campaignEffects } from "../../campaigns/effects.js";
import { caller } from "./auth.js";
import { callStatusesOf, JOB_STATUSES, jobDetail, jobListItem } from "./batch-views.js";
import {
  AUTHENTICATED_ERRORS,
  BAD_REQUEST,
  JobIdParams,
  json,
  NOT_FOUND,
  pagingQuery,
  SPEECHAI_SECURITY,
  SuccessMessage,
  Timestamp,
} from "./schemas.js";
import type { SpeechAiApp } from "./surface.js";

const tags = ["SpeechAI: Jobs"];
const security = SPEECHAI_SECURITY;

const Contact = z.object({ name: z.string().nullable(), dni: z.string().nullable(), phones: z.array(z.string()) });

const JobListItem = z.object({
  _id: z.string().openapi({ example: "68fd0cdc8ac7d47a518bc018" }),
  job_id: z.string().nullable().openapi({ example: "job-abc123" }),
  batch_id: z.string().nullable(),
  status: z.enum(JOB_STATUSES),
  contact: Contact,
  attempts: z.number().int(),
  created_at: Timestamp,
});

const JobDetail = JobListItem.extend({
  account_id: z.string().nullable(),
  contact: Contact.extend({ next_phone_index: z.number().int() }),
  payload: z.record(z.string(), z.unknown()),
  max_attempts: z.number().int(),
  estimated_cost: z.number().nullable(),
}).openapi("SpeechAiJob");

const listRoute = createRoute({
  method: "get",
  path: "/jobs",
  tags,
  summary: "Listar jobs",
  security,
  request: { query: z.object({ status: z.enum(JOB_STATUSES).optional(), ...pagingQuery(50) }) },
  responses: {
    200: json(z.object({ jobs: z.array(JobListItem), total: z.number().int() }), "Newest first"),
    ...AUTHENTICATED_ERRORS,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/jobs/{job_id}",
  tags,
  summary: "Obtener job",
  description: "`job_id` is the job id (`job-…`) or its 24-hex object id.",
  security,
  request: { params: JobIdParams },
  responses: { 200: json(JobDetail, "The job"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const retryRoute = createRoute({
  method: "put",
  path: "/jobs/{job_id}/retry",
  tags,
  summary: "Reintentar job",
  description: "A failed or cancelled job of a batch that is not finished waits again, with one more dial allowed.",
  security,
  request: { params: JobIdParams },
  responses: {
    200: json(SuccessMessage, "Job will be retried"),
    ...BAD_REQUEST,
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/jobs/{job_id}",
  tags,
  summary: "Cancelar/Eliminar job",
  description: "Deletes the job; a job on the line is refused until it ends.",
  security,
  request: { params: JobIdParams },
  responses: { 200: json(SuccessMessage, "Job cancelled"), ...BAD_REQUEST, ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

export function registerJobRoutes(app: SpeechAiApp): void {
  app.openapi(listRoute, async (c) => {
    const { orgId } = caller(c, "calls:read");
    const { status, limit, skip } = c.req.valid("query");
    const statuses = status ? callStatusesOf(status) : undefined;
    const page = await listJobPage(c.var.database.db, orgId, { statuses }, { limit, offset: skip, order: "newest" });
    return c.json({ jobs: page.rows.map(jobListItem), total: page.total }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { orgId } = caller(c, "calls:read");
    return c.json(jobDetail(await findJob(c.var.database.db, orgId, c.req.valid("param").job_id)), 200);
  });

  app.openapi(retryRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:write");
    const { campaignId } = await retryJob(c.var.database.db, orgId, c.req.valid("param").job_id);
    campaignEffects(c.var.env, (work) => c.executionCtx.waitUntil(work)).wakeDialer(campaignId);
    return c.json({ success: true as const, message: "Job will be retried" }, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:write");
    await deleteJob(c.var.database.db, orgId, c.req.valid("param").job_id);
    return c.json({ success: true as const, message: "Job cancelled" }, 200);
  });
}
