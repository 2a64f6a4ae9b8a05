import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../../http/app-types.js";
import { type RateLimitRule, rateLimit } from "../../http/rate-limit.js";
import { registerDashboardRoutes } from "./dashboard.routes.js";
import { botliveError, renderBotliveError } from "./errors.js";
import { registerMessageRoutes } from "./message.routes.js";
import { documentBotliveRoutes } from "./openapi.js";
// MERGE: the webhooks helper owns ./webhooks.routes.ts (POST /webhook/register, /webhook/test).
// import { registerBotliveWebhookRoutes } from "./webhooks.routes.js";

export type BotliveApp = OpenAPIHono<AppBindings>;

export const BOTLIVE_BASE = "/botlive";

/** The document's limits, per caller and minute. */
export const BOTLIVE_RATE_LIMITS = {
  message: { name: "botlive-message", limit: 300, windowSeconds: 60 },
  stats: { name: "botlive-stats", limit: 60, windowSeconds: 60 },
} as const satisfies Record<string, RateLimitRule>;

/** Botlive's REST API (shared/api-docs/botlive.md) over the chat engine and the orders domain. */
export function createBotliveApp(): BotliveApp {
  const app: BotliveApp = new OpenAPIHono<AppBindings>();
  app.onError((error, c) => renderBotliveError(c, error));
  // A `/x/*` pattern also matches `/x` itself: one registration covers /message and /message/stream, counted once.
  app.use("/message/*", rateLimit(BOTLIVE_RATE_LIMITS.message));
  app.use("/stats/*", rateLimit(BOTLIVE_RATE_LIMITS.stats));
  registerMessageRoutes(app);
  registerDashboardRoutes(app);
  // Paths relative to the surface: mounting it under /botlive prefixes them in /openapi.json.
  documentBotliveRoutes(app, "");
  // MERGE: uncomment once webhooks.routes.ts is merged.
  // registerBotliveWebhookRoutes(app);
  app.notFound((c) => renderBotliveError(c, botliveError("not_found", 404, "Not Found")));
  return app;
}
