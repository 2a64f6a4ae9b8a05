import type { Context } from "hono";
import type { z } from "zod";
import { resetConversationState } from "../../chat/sessions.js";
import type { AppBindings } from "../../http/app-types.js";
import { botliveStats, recentActivity } from "../../orders/dashboard.js";
import { clearOrderState, flagStuckOrders, listActiveOrders, listOpenInterventions } from "../../orders/service.js";
import { scheduleWebhookDeliveries } from "../../webhooks/emit.js";
import { assertOwnCompany, botliveCaller } from "./auth.js";
import { invalidBotliveRequest } from "./errors.js";
import { limitQuery, statsQuery } from "./schemas.js";
import type { BotliveApp } from "./surface.js";
import { activeOrderView, activityView, interventionView, isoSeconds, statsView } from "./views.js";

function parseQuery<T extends z.ZodTypeAny>(c: Context<AppBindings>, schema: T): z.infer<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw invalidBotliveRequest(parsed.error, "query");
  return parsed.data;
}

/** The caller's organisation, once the path's company_id is checked to be theirs. */
async function companyOrg(c: Context<AppBindings>): Promise<string> {
  const principal = botliveCaller(c);
  await assertOwnCompany(c, principal, c.req.param("company_id") ?? "");
  return principal.orgId;
}

/** Dashboards (stats, active orders, interventions, activity) and the admin reset. */
export function registerDashboardRoutes(app: BotliveApp): void {
  app.get("/stats/:company_id", async (c) => {
    const orgId = await companyOrg(c);
    const { time_range } = parseQuery(c, statsQuery);
    const now = new Date();
    return c.json(statsView(await botliveStats(c.var.database.db, orgId, time_range, now), time_range, now));
  });

  app.get("/orders/active/:company_id", async (c) => {
    const orgId = await companyOrg(c);
    const { limit } = parseQuery(c, limitQuery(50));
    const orders = await listActiveOrders(c.var.database.db, orgId, limit);
    return c.json({ success: true, orders: orders.map(activeOrderView), total: orders.length });
  });

  app.get("/interventions/:company_id", async (c) => {
    const orgId = await companyOrg(c);
    const { limit } = parseQuery(c, limitQuery(100));
    const db = c.var.database.db;
    // Orders idle below 100 % for 30 minutes become interventions when someone looks.
    const flagged = await db.transaction((tx) => flagStuckOrders(tx, orgId));
    if (flagged > 0) afterFlag(c, orgId);
    const rows = await listOpenInterventions(db, orgId, limit);
    return c.json({ success: true, interventions: rows.map(interventionView), count: rows.length });
  });

  app.get("/activity/:company_id", async (c) => {
    const orgId = await companyOrg(c);
    const { limit } = parseQuery(c, limitQuery(10));
    const now = new Date();
    const activities = await recentActivity(c.var.database.db, orgId, limit);
    return c.json({ success: true, activities: activities.map((activity) => activityView(activity, now)) });
  });

  app.post("/admin/clear-state/:user_id", async (c) => {
    const principal = botliveCaller(c);
    const userId = c.req.param("user_id");
    await c.var.database.db.transaction(async (tx) => {
      await clearOrderState(tx, principal.orgId, userId);
      await resetConversationState(tx, {
        orgId: principal.orgId,
        channel: "whatsapp",
        sessionKey: userId,
        userId: null,
      });
    });
    return c.json({ success: true, message: `État réinitialisé pour ${userId}` });
  });

  app.get("/health", (c) => c.json({ status: "healthy", engine: "initialized", timestamp: isoSeconds(new Date()) }));
}

function afterFlag(c: Context<AppBindings>, orgId: string): void {
  scheduleWebhookDeliveries(c.var.env, orgId, (work) => c.executionCtx.waitUntil(work));
}
