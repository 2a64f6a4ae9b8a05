import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppBindings } from "../../http/app-types.js";
import { ApiError, logUnexpected } from "../../http/errors.js";
import { type RateLimitRule, rateLimit } from "../../http/rate-limit.js";
import { registerDashboardRoutes } from "./dashboard.routes.js";
import { botliveError, renderBotliveError } from "./errors.js";
import { registerMessageRoutes } from "./message.routes.js";
import { documentBotliveRoutes } from "./openapi.js";
import { registerBotliveWebhookRoutes } from "./webhooks.routes.js";

export type BotliveApp = OpenAPIHono<AppBindings>;

export const BOTLIVE_BASE = "/botlive";

/** The document's limits, per caller and minute. */
export const BOTLIVE_RATE_LIMITS = {
  message: { name: "botlive-message", limit: 300, windowSeconds: 60 },
  stats: { name: "botlive-stats", limit: 60, windowSeconds: 60 },
} as const satisfies Record<string, RateLimitRule>;

/**
 * Botlive's REST API (shared/api-docs/botlive.md), mounted at the root: the chat surface under /botlive, and the
 * webhooks helper's routes, which carry their full paths (/botlive/webhook/register, /botlive/webhook/test).
 */
export function createBotliveApp(): BotliveApp {
  const app: BotliveApp = new OpenAPIHono<AppBindings>({
    defaultHook: (result) => {
      if (!result.success) {
        const details = result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
        throw new ApiError("VALIDATION_ERROR", 422, "Invalid request", details);
      }
    },
  });
  // The webhook routes keep their own envelope ({success:false, error:{code,message,details?}}); see the report.
  app.onError((error, c) => renderWebhookRouteError(c, error));
  app.route(BOTLIVE_BASE, createBotliveChatApp());
  registerBotliveWebhookRoutes(app);
  return app;
}

/** `{ success: false, error: { code, message, details? }, request_id }`, the webhook routes' failures. */
function renderWebhookRouteError(c: Context<AppBindings>, error: unknown): Response {
  const apiError = ApiError.from(error);
  if (apiError.status >= 500) logUnexpected(c.var.requestId, error);
  const body = {
    success: false,
    error: {
      code: apiError.code,
      message: apiError.message,
      ...(apiError.details === undefined ? {} : { details: apiError.details }),
    },
    request_id: c.var.requestId,
  };
  return c.json(body, apiError.status);
}

/** Messages, dashboards, admin and health, under /botlive, over the chat engine and the orders domain. */
function createBotliveChatApp(): BotliveApp {
  const app: BotliveApp = new OpenAPIHono<AppBindings>();
  app.onError((error, c) => renderBotliveError(c, error));
  // A `/x/*` pattern also matches `/x` itself: one registration covers /message and /message/stream, counted once.
  app.use("/message/*", rateLimit(BOTLIVE_RATE_LIMITS.message));
  app.use("/stats/*", rateLimit(BOTLIVE_RATE_LIMITS.stats));
  registerMessageRoutes(app);
  registerDashboardRoutes(app);
  // Paths relative to the surface: mounting it under /botlive prefixes them in /openapi.json.
  documentBotliveRoutes(app, "");
  app.notFound((c) => renderBotliveError(c, botliveError("not_found", 404, "Not Found")));
  return app;
}
