import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../../http/app-types.js";
import { validationDetails } from "../shared/fastapi-validation.js";
import { requireCaller } from "./auth.js";
import { registerCampaignRoutes } from "./campaigns.routes.js";
import { invalidRequest, renderMiniBotPanelError } from "./errors.js";
import { registerExportRoutes } from "./exports.routes.js";
import { registerStatsRoutes } from "./stats.routes.js";
import { registerSystemRoutes } from "./system.routes.js";

export type MiniBotPanelApp = OpenAPIHono<AppBindings>;

/** The paths MiniBotPanel clients call; everything under them answers in MiniBotPanel's envelope. */
export const MINIBOTPANEL_PREFIXES = ["/api/campaigns", "/api/stats", "/api/exports"] as const;

/** MiniBotPanel v3's REST API (shared/api-docs/minibotpanel.md), as a thin adapter over the domain services. */
export function createMiniBotPanelApp(): MiniBotPanelApp {
  const app: MiniBotPanelApp = new OpenAPIHono<AppBindings>({
    defaultHook: (result) => {
      // The validator hands the hook the raw input as `data` beside the failure; its type omits it.
      if (!result.success) {
        const input = (result as { data?: unknown }).data;
        throw invalidRequest(validationDetails(result.error, result.target, input));
      }
    },
  });
  app.onError((error, c) => renderMiniBotPanelError(c, error));
  for (const prefix of MINIBOTPANEL_PREFIXES) {
    app.use(prefix, requireCaller);
    app.use(`${prefix}/*`, requireCaller);
  }
  registerSystemRoutes(app);
  registerCampaignRoutes(app);
  registerStatsRoutes(app);
  registerExportRoutes(app);
  return app;
}
