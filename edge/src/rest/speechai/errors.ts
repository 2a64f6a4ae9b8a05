import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { BatchFileError } from "../../batches/errors.js";
import { DATABASE_RETRY_AFTER_SECONDS } from "../../db/unavailable.js";
import type { AppBindings } from "../../http/app-types.js";
import { ApiError, logUnexpected } from "../../http/errors.js";
import { ValidationError } from "../../shared/errors.js";
import { detailsFromDomain, type ValidationDetail } from "../shared/fastapi-validation.js";

/** FastAPI's own words for a request without credentials. */
export function notAuthenticated(): ApiError {
  return new ApiError("NOT_AUTHENTICATED", 401, "Not authenticated");
}

export function invalidRequest(details: ValidationDetail[]): ApiError {
  return new ApiError("VALIDATION_ERROR", 422, "Invalid request data", details);
}

/**
 * FastAPI's envelope, as SpeechAI answered: `{"detail": "<message>"}`, and for a 422 `{"detail": [{loc,msg,type}]}`.
 * The request id travels in the `x-request-id` header (set for every response).
 */
export function renderSpeechAiError(c: Context<AppBindings>, error: unknown): Response {
  const apiError = toSpeechAiError(error);
  if (apiError.status >= 500) logUnexpected(c.var.requestId, error);
  if (apiError.status === 401) c.header("WWW-Authenticate", "Bearer");
  if (apiError.status === 503) c.header("Retry-After", String(DATABASE_RETRY_AFTER_SECONDS));
  const detail = apiError.status === 422 && Array.isArray(apiError.details) ? apiError.details : apiError.message;
  return c.json({ detail }, apiError.status);
}

function toSpeechAiError(error: unknown): ApiError {
  if (error instanceof HTTPException && error.status === 400 && /json/i.test(error.message)) {
    return invalidRequest([{ loc: ["body"], msg: "Invalid JSON body", type: "value_error.jsondecode" }]);
  }
  if (error instanceof HTTPException)
    return new ApiError(`HTTP_${error.status}`, contentful(error.status), error.message);
  if (error instanceof ValidationError) return invalidRequest(detailsFromDomain(error.issues));
  // The one file problem that is not the client's content but its size.
  if (error instanceof BatchFileError && error.problem === "FILE_TOO_LARGE") {
    return new ApiError(error.problem, 413, error.message);
  }
  return ApiError.from(error);
}

function contentful(status: number): ApiError["status"] {
  return (status === 204 || status === 304 ? 400 : status) as ApiError["status"];
}
