import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppBindings } from "../../http/app-types.js";
import { ApiError, logUnexpected, renderDefaultError } from "../../http/errors.js";
import { ValidationError } from "../../shared/errors.js";
import { detailsFromDomain, type ValidationDetail } from "../shared/fastapi-validation.js";

const UNAUTHORIZED_MESSAGE =
  "Invalid or missing API password. Provide it via X-API-Key header or ?password= query param.";

export function unauthorized(): ApiError {
  return new ApiError("UNAUTHORIZED", 401, UNAUTHORIZED_MESSAGE);
}

/** `{"error":{code,message,details?}}` with MiniBotPanel's codes: UNAUTHORIZED, VALIDATION_ERROR, else HTTP_<status>. */
export function renderMiniBotPanelError(c: Context<AppBindings>, error: unknown): Response {
  const apiError = toMiniBotPanelError(error);
  if (apiError.status >= 500) logUnexpected(c.var.requestId, error);
  return renderDefaultError(c, apiError);
}

function toMiniBotPanelError(error: unknown): ApiError {
  if (error instanceof HTTPException && error.status === 400 && /json/i.test(error.message)) {
    return invalidRequest([{ loc: ["body"], msg: "Invalid JSON body", type: "value_error.jsondecode" }]);
  }
  if (error instanceof HTTPException)
    return new ApiError(`HTTP_${error.status}`, asContentful(error.status), error.message);
  if (error instanceof ValidationError) return invalidRequest(detailsFromDomain(error.issues));
  const apiError = ApiError.from(error);
  if (apiError.code === "VALIDATION_ERROR") return apiError;
  if (apiError.code === "UNAUTHORIZED") return unauthorized();
  return new ApiError(`HTTP_${apiError.status}`, apiError.status, apiError.message);
}

function asContentful(status: number): ApiError["status"] {
  return (status === 204 || status === 304 ? 400 : status) as ApiError["status"];
}

export function invalidRequest(details: ValidationDetail[]): ApiError {
  return new ApiError("VALIDATION_ERROR", 422, "Invalid request data", details);
}
