import { createRoute, z } from "@hono/zod-openapi";
import type { CallStatus } from "@switchboard/schema";
import { batchDashboard } from "../../batches/dashboard.js";
import { listJobPage } from "../../batches/jobs.js";
import { accountForCampaign, findAccount } from "../../billing/service.js";
import { ACTIVE_STATUSES, FAILED_STATUSES } from "../../calls/status-groups.js";
import { caller } from "./auth.js";
import { cents, speechAiTimestamp } from "./format.js";
import { AUTHENTICATED_ERRORS, json, NOT_FOUND, pagingQuery, SPEECHAI_SECURITY, Timestamp } from "./schemas.js";
import type { SpeechAiApp } from "./surface.js";

const tags = ["SpeechAI: Dashboard"];
const security = SPEECHAI_SECURITY;
const accountQuery = { account_id: z.string().max(100).optional().openapi({ example: "retail_express" }) };

const statsRoute = createRoute({
  method: "get",
  path: "/dashboard/stats",
  tags,
  summary: "Estadísticas generales",
  description: "Over the organisation's batches, or one account's.",
  security,
  request: { query: z.object(accountQuery) },
  responses: {
    200: json(
      z.object({
        total_batches: z.number().int(),
        active_batches: z.number().int(),
        total_jobs: z.number().int(),
        pending_jobs: z.number().int(),
        completed_jobs: z.number().int(),
        failed_jobs: z.number().int(),
        total_cost: z.number(),
        total_minutes: z.number(),
      }),
      "Counts, cost and minutes",
    ),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const overviewRoute = createRoute({
  method: "get",
  path: "/dashboard/overview",
  tags,
  summary: "Overview del dashboard",
  description: "One account's (the organisation's default account when none is named).",
  security,
  request: { query: z.object(accountQuery) },
  responses: {
    200: json(
      z.object({
        account: z.object({ account_id: z.string(), credit_balance: z.number() }),
        batches: z.object({ total: z.number(), active: z.number(), paused: z.number(), completed: z.number() }),
        jobs: z.object({
          total: z.number(),
          pending: z.number(),
          in_progress: z.number(),
          completed: z.number(),
          failed: z.number(),
        }),
        costs: z.object({ total_spent: z.number(), total_minutes: z.number(), average_per_call: z.number() }),
        recent_activity: z.array(z.unknown()),
      }),
      "The account's figures",
    ),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

/** Calls that were dialled: on the line or ended. */
const DIALLED: readonly CallStatus[] = [...ACTIVE_STATUSES, "completed", ...FAILED_STATUSES];
const HISTORY_STATUSES = ["ongoing", "ended", "error"] as const;

/** The telephony words SpeechAI's history used: on the line, ended, or failed to connect. */
function historyStatus(status: CallStatus): (typeof HISTORY_STATUSES)[number] {
  if ((ACTIVE_STATUSES as readonly CallStatus[]).includes(status)) return "ongoing";
  return status === "failed" ? "error" : "ended";
}

const historyRoute = createRoute({
  method: "get",
  path: "/calls/history",
  tags: ["SpeechAI: Calls"],
  summary: "Historial de llamadas",
  description: "Dialled jobs, newest first.",
  security,
  request: { query: z.object({ ...accountQuery, ...pagingQuery(50) }) },
  responses: {
    200: json(
      z.object({
        calls: z.array(
          z.object({
            call_id: z.string(),
            job_id: z.string().nullable(),
            batch_id: z.string().nullable(),
            contact_name: z.string().nullable(),
            phone: z.string(),
            status: z.enum(HISTORY_STATUSES),
            duration_ms: z.number().int().nullable(),
            cost: z.number().nullable(),
            created_at: Timestamp,
          }),
        ),
        total: z.number().int(),
      }),
      "Newest first",
    ),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

export function registerDashboardRoutes(app: SpeechAiApp): void {
  app.openapi(statsRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:read");
    const db = c.var.database.db;
    const { account_id } = c.req.valid("query");
    const account = account_id ? await findAccount(db, orgId, { code: account_id }) : undefined;
    const figures = await batchDashboard(db, orgId, { accountId: account?.id });
    return c.json(
      {
        total_batches: figures.batches.total,
        active_batches: figures.batches.active,
        total_jobs: figures.jobs.total,
        pending_jobs: figures.jobs.pending,
        completed_jobs: figures.jobs.completed,
        failed_jobs: figures.jobs.failed,
        total_cost: cents(figures.costs.spent),
        total_minutes: cents(figures.costs.minutes),
      },
      200,
    );
  });

  app.openapi(overviewRoute, async (c) => {
    const { orgId } = caller(c, "campaigns:read");
    const db = c.var.database.db;
    const { account_id } = c.req.valid("query");
    const account = await accountForCampaign(db, orgId, account_id ? { code: account_id } : undefined);
    const { batches, jobs, costs } = await batchDashboard(db, orgId, { accountId: account.id });
    return c.json(
      {
        account: { account_id: account.code, credit_balance: account.creditBalance },
        batches: { total: batches.total, active: batches.active, paused: batches.paused, completed: batches.completed },
        jobs: {
          total: jobs.total,
          pending: jobs.pending,
          in_progress: jobs.inProgress,
          completed: jobs.completed,
          failed: jobs.failed,
        },
        costs: {
          total_spent: cents(costs.spent),
          total_minutes: cents(costs.minutes),
          average_per_call: costs.chargedCalls === 0 ? 0 : cents(costs.spent / costs.chargedCalls),
        },
        recent_activity: [],
      },
      200,
    );
  });

  app.openapi(historyRoute, async (c) => {
    const { orgId } = caller(c, "calls:read");
    const db = c.var.database.db;
    const { account_id, limit, skip } = c.req.valid("query");
    const account = account_id ? await findAccount(db, orgId, { code: account_id }) : undefined;
    const page = await listJobPage(
      db,
      orgId,
      { accountId: account?.id, statuses: DIALLED },
      { limit, offset: skip, order: "newest" },
    );
    const history = page.rows.map((job) => ({
      call_id: job.id,
      job_id: job.jobCode,
      batch_id: job.batchCode,
      contact_name: job.contact?.name ?? null,
      phone: job.toNumber,
      status: historyStatus(job.status),
      duration_ms: job.durationMs,
      cost: job.cost,
      created_at: speechAiTimestamp(job.createdAt),
    }));
    return c.json({ calls: history, total: page.total }, 200);
  });
}
