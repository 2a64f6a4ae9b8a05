import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../../http/app-types.js";
import { ApiError } from "../../http/errors.js";
import { validationDetails } from "../shared/fastapi-validation.js";
import { registerAccountRoutes } from "./accounts.routes.js";
import { requireCaller } from "./auth.js";
import { registerBatchRoutes } from "./batches.routes.js";
import { registerDashboardRoutes } from "./dashboard.routes.js";
import { invalidRequest, renderSpeechAiError } from "./errors.js";
import { registerJobRoutes } from "./jobs.routes.js";

export type SpeechAiApp = OpenAPIHono<AppBindings>;

/** Where SpeechAI's API lives; no other surface has a path under it. */
export const SPEECHAI_BASE = "/api/v1";

/** SpeechAI's REST API (shared/api-docs/speechai.md) as a thin adapter over the domain services. */
export function createSpeechAiApp(): SpeechAiApp {
  const app: SpeechAiApp = new OpenAPIHono<AppBindings>({
    defaultHook: (result) => {
      // The validator hands the hook the raw input as `data` beside the failure; its type omits it.
      if (!result.success) {
        const input = (result as { data?: unknown }).data;
        throw invalidRequest(validationDetails(result.error, result.target, input));
      }
    },
  });
  app.onError((error, c) => renderSpeechAiError(c, error));
  // Before validation: an anonymous caller learns it needs a credential, not what its body lacks.
  app.use("*", requireCaller);
  registerAccountRoutes(app);
  registerBatchRoutes(app);
  registerJobRoutes(app);
  registerDashboardRoutes(app);
  // Last: any other path under the base is FastAPI's 404, in SpeechAI's envelope rather than the platform's.
  app.all("*", () => {
    throw new ApiError("HTTP_404", 404, "Not Found");
  });
  return app;
}
