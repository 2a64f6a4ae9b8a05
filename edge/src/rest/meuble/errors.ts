import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDatabaseUnavailable } from "../../db/unavailable.js";
import type { AppBindings } from "../../http/app-types.js";
import { ApiError, logUnexpected } from "../../http/errors.js";
import { RateLimitedError } from "../../http/rate-limit.js";
import { CircuitOpenError } from "../../ops/circuit-breakers.js";
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  ValidationError,
  type ValidationIssue,
} from "../../shared/errors.js";
import { SpeechUnavailableError, SpeechUpstreamError } from "../../speech/provider.js";
import { FileTooLargeError, UnsupportedFileTypeError } from "../../support/uploads.js";

/** A Meuble de France error: `error` is the documented snake_case code, `detail` the human sentence. */
export function meubleError(code: string, status: ContentfulStatusCode, detail: string): ApiError {
  return new ApiError(code, status, detail);
}

export function payloadTooLarge(limitMb: number): ApiError {
  return meubleError("payload_too_large", 413, `Request body exceeds maximum size of ${limitMb.toFixed(1)}MB`);
}

/** `{"success":false,"error","detail","request_id"}` (plus `retry_after` for 429), the document's envelope. */
export function renderMeubleError(c: Context<AppBindings>, error: unknown): Response {
  const apiError = toMeubleError(error);
  if (apiError.status >= 500 && apiError.code === "internal_error") logUnexpected(c.var.requestId, error);
  const retryAfter = retryAfterSeconds(error);
  if (retryAfter !== null) c.header("Retry-After", String(retryAfter));
  return c.json(
    {
      success: false,
      error: apiError.code,
      detail: apiError.message,
      request_id: c.var.requestId,
      ...(apiError.status === 429 && retryAfter !== null ? { retry_after: retryAfter } : {}),
    },
    apiError.status,
  );
}

function retryAfterSeconds(error: unknown): number | null {
  if (error instanceof RateLimitedError) return Math.max(1, Math.ceil((error.decision.resetAt - Date.now()) / 1000));
  if (error instanceof CircuitOpenError) return error.retryAfterSeconds;
  if (isDatabaseUnavailable(error)) return 1;
  return null;
}

function toMeubleError(error: unknown): ApiError {
  if (error instanceof RateLimitedError) {
    return meubleError("rate_limit_exceeded", 429, "Too many requests. Please try again later.");
  }
  if (error instanceof ApiError && /^[a-z_]+$/.test(error.code)) return error;
  if (error instanceof HTTPException) {
    if (error.status === 400) return meubleError("invalid_request", 400, "Malformed request body");
    return meubleError("http_error", asContentful(error.status), error.message);
  }
  if (error instanceof AuthenticationError) return authFailure(error);
  if (error instanceof ValidationError) return meubleError("validation_error", 400, describe(error));
  if (error instanceof FileTooLargeError) return meubleError("payload_too_large", 413, error.message);
  if (error instanceof UnsupportedFileTypeError) return meubleError("unsupported_media_type", 415, error.message);
  if (error instanceof NotFoundError) return meubleError("not_found", 404, error.message);
  if (error instanceof ConflictError) return meubleError("conflict", 409, error.message);
  if (error instanceof SpeechUnavailableError) return meubleError("service_unavailable", 503, error.message);
  if (error instanceof SpeechUpstreamError) return meubleError("speech_provider_error", 502, error.message);
  if (error instanceof CircuitOpenError) return meubleError("service_unavailable", 503, error.message);
  if (isDatabaseUnavailable(error)) {
    return meubleError("service_unavailable", 503, "The database is busy; retry shortly");
  }
  return meubleError("internal_error", 500, "Internal server error");
}

export function authFailure(error: AuthenticationError): ApiError {
  if (error.code === "ACCOUNT_LOCKED") return meubleError("account_locked", 401, error.message);
  if (error.code === "INVALID_CREDENTIALS") return meubleError("invalid_credentials", 401, error.message);
  return meubleError("invalid_token", 401, error.message);
}

function describe(error: ValidationError): string {
  if (error.issues.length === 0) return error.message;
  return `${error.message}: ${error.issues.map(issueText).join("; ")}`;
}

function issueText(issue: ValidationIssue): string {
  return `${issue.path.map(snakeCase).join(".") || "body"}: ${issue.message}`;
}

function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function asContentful(status: number): ContentfulStatusCode {
  return (status === 204 || status === 304 ? 400 : status) as ContentfulStatusCode;
}
