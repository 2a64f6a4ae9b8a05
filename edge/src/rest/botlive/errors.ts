import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import type { AppBindings } from "../../http/app-types.js";
import { ApiError, logUnexpected } from "../../http/errors.js";
import { RateLimitedError } from "../../http/rate-limit.js";
import { AuthenticationError } from "../../shared/errors.js";

/**
 * Botlive's document has no error shape; its successes carry `success` and `request_id`, so failures answer
 * `{"success":false,"error":"<code>","detail":"<why>","request_id"}` (the envelope its sibling Meuble documents).
 */
export function botliveError(code: string, status: ContentfulStatusCode, detail: string): ApiError {
  return new ApiError(code, status, detail);
}

export function renderBotliveError(c: Context<AppBindings>, error: unknown): Response {
  const apiError = toBotliveError(error);
  if (apiError.status >= 500) logUnexpected(c.var.requestId, error);
  return c.json(
    { success: false, error: apiError.code, detail: apiError.message, request_id: c.var.requestId },
    apiError.status,
  );
}

function toBotliveError(error: unknown): ApiError {
  if (error instanceof RateLimitedError) {
    return botliveError("rate_limit_exceeded", 429, `At most ${error.decision.limit} requests per minute`);
  }
  if (error instanceof AuthenticationError) return botliveError("unauthorized", 401, error.message);
  if (error instanceof HTTPException) {
    if (error.status === 400) return botliveError("invalid_json", 400, "Malformed JSON body");
    return botliveError("http_error", error.status as ContentfulStatusCode, error.message);
  }
  const apiError = ApiError.from(error);
  if (apiError.status >= 500) {
    return apiError.status === 503 ? apiError : botliveError("internal_error", 500, "Internal server error");
  }
  // Domain codes (VALIDATION_ERROR, NOT_FOUND…) in Botlive's lower-case spelling.
  return botliveError(apiError.code.toLowerCase(), apiError.status, apiError.message);
}

/** A request that fails validation: 422, naming each field. */
export function invalidBotliveRequest(error: ZodError, where: string): ApiError {
  const detail = error.issues.map((issue) => `${[where, ...issue.path].join(".")}: ${issue.message}`).join("; ");
  return botliveError("validation_error", 422, detail || "Invalid request");
}
