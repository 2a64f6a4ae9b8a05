import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppBindings } from "../../http/app-types.js";
import { ApiError, logUnexpected } from "../../http/errors.js";
import { registerBotliveWebhookRoutes } from "./webhooks.routes.js";

/**
 * Minimal Botlive surface (webhooks helper): only the webhook routes, so they can be tested. The chat helper owns
 * the real surface; at merge its createBotliveApp mounts registerBotliveWebhookRoutes and this file goes.
 */
export function createBotliveApp(): OpenAPIHono<AppBindings> {
  const app = new OpenAPIHono<AppBindings>({
    defaultHook: (result) => {
      if (!result.success) {
        const details = result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
        throw new ApiError("VALIDATION_ERROR", 422, "Invalid request", details);
      }
    },
  });
  app.onError((error, c) => renderBotliveError(c, error));
  registerBotliveWebhookRoutes(app);
  return app;
}

/** `{ success: false, error: { code, message, details? }, request_id }`, beside Botlive's `success: true` answers. */
function renderBotliveError(c: Context<AppBindings>, error: unknown): Response {
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
