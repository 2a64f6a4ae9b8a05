import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../../http/app-types.js";
import { type RateLimitRule, rateLimit } from "../../http/rate-limit.js";
import { registerAgentRoutes } from "./agents.routes.js";
import { registerAnalyticsRoutes } from "./analytics.routes.js";
import { requireCaller } from "./auth.js";
import { registerAuthRoutes } from "./auth.routes.js";
import { registerCallLogRoutes } from "./call-logs.routes.js";
import { registerCampaignRoutes } from "./campaigns.routes.js";
import { invalidRequest, renderVoiceEraError } from "./errors.js";
import { registerSystemRoutes } from "./system.routes.js";

export type VoiceEraApp = OpenAPIHono<AppBindings>;

/** VoiceERA mounted again under this base, where /health answers in VoiceERA's shape (at the root, MiniBotPanel's does). */
export const VOICEERA_BASE = "/voiceera";

/** The document's rate limits, per caller and minute. */
export const VOICEERA_RATE_LIMITS = {
  auth: { name: "voiceera-auth", limit: 10, windowSeconds: 60 },
  general: { name: "voiceera", limit: 100, windowSeconds: 60 },
} as const satisfies Record<string, RateLimitRule>;

const RESOURCES = ["/agents", "/campaigns", "/call-logs", "/call-recordings", "/analytics"] as const;

/**
 * VoiceERA's REST API (shared/api-docs/voiceera.md) as a thin adapter over the domain services. `withHealth`
 * adds its /health, which the root mount leaves to MiniBotPanel's.
 */
export function createVoiceEraApp(options: { withHealth: boolean }): VoiceEraApp {
  const app: VoiceEraApp = new OpenAPIHono<AppBindings>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest(result.error, result.target);
    },
  });
  app.onError((error, c) => renderVoiceEraError(c, error));
  // A `/x/*` pattern also matches `/x` itself: one registration per prefix, so each request counts once.
  app.use("/auth/*", rateLimit(VOICEERA_RATE_LIMITS.auth));
  for (const resource of RESOURCES) {
    app.use(`${resource}/*`, rateLimit(VOICEERA_RATE_LIMITS.general));
    // Before the request is validated: an anonymous caller learns it needs a token, not what its body lacks.
    app.use(`${resource}/*`, requireCaller);
  }
  registerAuthRoutes(app);
  registerAgentRoutes(app);
  registerCampaignRoutes(app);
  registerCallLogRoutes(app);
  registerAnalyticsRoutes(app);
  registerSystemRoutes(app, options);
  return app;
}
