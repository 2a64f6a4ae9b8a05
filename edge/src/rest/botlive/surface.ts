import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../../http/app-types.js";
import { type RateLimitRule, rateLimit } from "../../http/rate-limit.js";
import { registerDashboardRoutes } from "./dashboard.routes.js";
import { botliveError, invalidBotliveRequest, renderBotliveError } from "./errors.js";
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
 * Botlive's REST API (shared/api-docs/botlive.md), mounted under /botlive: messages, dashboards, admin and health
 * over the chat engine and the orders domain, and webhook registration over the webhooks service. Every failure
 * answers in one envelope (errors.ts).
 */
export function createBotliveApp(): BotliveApp {
  const app: BotliveApp = new OpenAPIHono<AppBindings>({
    defaultHook: (result) => {
      if (!result.success) throw invalidBotliveRequest(result.error, result.target);
    },
  });
  app.onError((error, c) => renderBotliveError(c, error));
  // A `/x/*` pattern also matches `/x` itself: one registration covers /message and /message/stream, counted once.
  app.use("/message/*", rateLimit(BOTLIVE_RATE_LIMITS.message));
  app.use("/stats/*", rateLimit(BOTLIVE_RATE_LIMITS.stats));
  registerMessageRoutes(app);
  registerDashboardRoutes(app);
  registerBotliveWebhookRoutes(app);
  // Paths relative to the surface: mounting it under /botlive prefixes them in /openapi.json.
  documentBotliveRoutes(app, "");
  // Last: a mounted app's notFound is not consulted, so other paths under /botlive are answered here.
  app.all("*", () => {
    throw botliveError("not_found", 404, "Not Found");
  });
  return app;
}
