import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DATABASE_BUSY_MESSAGE, DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../db/unavailable.js";
import { AuthenticationError, ConflictError, DomainError, NotFoundError, ValidationError } from "../shared/errors.js";
import type { AppBindings } from "./app-types.js";

/** The one REST error: each surface renders it in its own documented envelope. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: ContentfulStatusCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    if (error instanceof DomainError) return fromDomain(error);
    if (isDatabaseUnavailable(error)) return new ApiError("SERVICE_UNAVAILABLE", 503, DATABASE_BUSY_MESSAGE);
    return new ApiError("INTERNAL_ERROR", 500, "Internal server error");
  }
}

function fromDomain(error: DomainError): ApiError {
  if (error instanceof ValidationError) return new ApiError("VALIDATION_ERROR", 422, error.message, error.issues);
  if (error instanceof NotFoundError) return new ApiError("NOT_FOUND", 404, error.message);
  if (error instanceof ConflictError) return new ApiError("CONFLICT", 409, error.message);
  if (error instanceof AuthenticationError) return new ApiError("UNAUTHORIZED", 401, error.message);
  return new ApiError(error.code, 400, error.message);
}

/** The default envelope, MiniBotPanel's: `{"error":{"code","message"}}`, plus the request id. */
export function renderDefaultError(c: Context<AppBindings>, error: ApiError): Response {
  const body = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
      request_id: c.get("requestId"),
    },
  };
  // Every 503 is temporary (a busy database): tell the client when to come back.
  if (error.status === 503) c.header("Retry-After", String(DATABASE_RETRY_AFTER_SECONDS));
  return c.json(body, error.status);
}

/** One log line for an unexpected error, with its cause (drizzle wraps the driver's error). */
export function logUnexpected(requestId: string, error: unknown): void {
  const cause = error instanceof Error && error.cause !== undefined ? String(error.cause) : undefined;
  console.error(JSON.stringify({ requestId, error: String(error), cause }));
}
