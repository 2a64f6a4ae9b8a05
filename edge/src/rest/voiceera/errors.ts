import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { AgentInUseError } from "../../agents/service.js";
import { InvalidTransitionError, RejectedInputError } from "../../campaigns/errors.js";
import type { AppBindings } from "../../http/app-types.js";
import { ApiError, logUnexpected } from "../../http/errors.js";
import { RateLimitedError } from "../../http/rate-limit.js";
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  ValidationError,
  type ValidationIssue,
} from "../../shared/errors.js";
import { voiceEraTimestamp } from "./format.js";

/**
 * VoiceERA's error codes: the documented ones, then the few this implementation adds where the document
 * has none (validation, rate limiting, an agent still in use, a pause refused, an e-mail already registered).
 */
export const VOICEERA_ERRORS = {
  AUTH_001: { status: 401, message: "Invalid credentials" },
  AUTH_002: { status: 401, message: "Token expired" },
  AUTH_003: { status: 401, message: "Token invalid" },
  AUTH_004: { status: 403, message: "Permission denied" },
  AUTH_005: { status: 409, message: "Email already registered" },
  AGENT_001: { status: 404, message: "Agent not found" },
  AGENT_002: { status: 409, message: "Agent already exists" },
  AGENT_003: { status: 409, message: "Agent in use" },
  CAMPAIGN_001: { status: 404, message: "Campaign not found" },
  CAMPAIGN_002: { status: 409, message: "Cannot launch campaign" },
  CAMPAIGN_003: { status: 409, message: "Cannot pause campaign" },
  CALL_001: { status: 404, message: "Call log not found" },
  VALIDATION_001: { status: 422, message: "Invalid request" },
  RATE_LIMIT_001: { status: 429, message: "Rate limit exceeded" },
  NOT_FOUND_001: { status: 404, message: "Not found" },
  SERVER_001: { status: 500, message: "Internal server error" },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

export type VoiceEraCode = keyof typeof VOICEERA_ERRORS;

/** A VoiceERA error: a documented code, its status and message, and a human `details` string. */
export function voiceEraError(code: VoiceEraCode, details: string | null = null): ApiError {
  const { status, message } = VOICEERA_ERRORS[code];
  return new ApiError(code, status, message, details);
}

/** Which resource a path's "not found" is about, by the first segment after the surface's base. */
const NOT_FOUND_BY_RESOURCE: Record<string, VoiceEraCode> = {
  agents: "AGENT_001",
  campaigns: "CAMPAIGN_001",
  "call-logs": "CALL_001",
  "call-recordings": "CALL_001",
};

/** `{"success":false,"data":null,"error":{code,message,details},"timestamp"}` for any failure. */
export function renderVoiceEraError(c: Context<AppBindings>, error: unknown): Response {
  const apiError = toVoiceEraError(c, error);
  if (apiError.status >= 500) logUnexpected(c.var.requestId, error);
  return c.json(
    {
      success: false,
      data: null,
      error: { code: apiError.code, message: apiError.message, details: apiError.details ?? null },
      timestamp: voiceEraTimestamp(new Date()),
    },
    apiError.status,
  );
}

function toVoiceEraError(c: Context<AppBindings>, error: unknown): ApiError {
  if (error instanceof ApiError && error.code in VOICEERA_ERRORS) return error;
  if (error instanceof RateLimitedError) {
    return voiceEraError("RATE_LIMIT_001", `At most ${error.decision.limit} requests per window; retry later`);
  }
  if (error instanceof HTTPException) {
    if (error.status === 400) return voiceEraError("VALIDATION_001", "Malformed JSON body");
    return new ApiError("HTTP_ERROR", asContentful(error.status), error.message, null);
  }
  if (error instanceof AuthenticationError) return authFailure(error);
  if (error instanceof ValidationError) return voiceEraError("VALIDATION_001", describeIssues(error.issues));
  if (error instanceof AgentInUseError) return voiceEraError("AGENT_003", error.message);
  if (error instanceof InvalidTransitionError) {
    return voiceEraError(error.action === "pause" ? "CAMPAIGN_003" : "CAMPAIGN_002", error.message);
  }
  if (error instanceof RejectedInputError) {
    // The campaign names an agent the organisation does not have.
    if (error.field === "scenario") return voiceEraError("AGENT_001", error.message);
    return voiceEraError("VALIDATION_001", `${error.field}: ${error.message}`);
  }
  if (error instanceof NotFoundError) return voiceEraError(notFoundCode(c.req.path), error.message);
  if (error instanceof ConflictError) {
    return resourceOf(c.req.path) === "auth"
      ? voiceEraError("AUTH_005", error.message)
      : voiceEraError("AGENT_002", error.message);
  }
  const apiError = ApiError.from(error);
  if (apiError.status >= 500) return voiceEraError("SERVER_001");
  return new ApiError("HTTP_ERROR", apiError.status, apiError.message, null);
}

function asContentful(status: number): ContentfulStatusCode {
  return (status === 204 || status === 304 ? 400 : status) as ContentfulStatusCode;
}

/** Refused or failed authentication: expired tokens and bad credentials have their own codes. */
export function authFailure(error: AuthenticationError): ApiError {
  if (error.code === "INVALID_CREDENTIALS") return voiceEraError("AUTH_001", error.message);
  if (error.code === "ACCOUNT_LOCKED") return voiceEraError("AUTH_001", error.message);
  if (error.message === "Token expired") return voiceEraError("AUTH_002", error.message);
  return voiceEraError("AUTH_003", error.message);
}

function resourceOf(path: string): string {
  const segments = path.split("/").filter(Boolean);
  return (segments[0] === "voiceera" ? segments[1] : segments[0]) ?? "";
}

function notFoundCode(path: string): VoiceEraCode {
  return NOT_FOUND_BY_RESOURCE[resourceOf(path)] ?? "NOT_FOUND_001";
}

function describeIssues(issues: ValidationIssue[]): string {
  if (issues.length === 0) return "Invalid input";
  return issues.map((issue) => `${issue.path.map(snakeCase).join(".") || "body"}: ${issue.message}`).join("; ");
}

/** Domain fields are camelCase; VoiceERA's are snake_case. */
function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** A failed request validation (body, query or path), as VALIDATION_001 naming each field. */
export function invalidRequest(error: ZodError, target: string): ApiError {
  const where = target === "json" ? "body" : target === "param" ? "path" : target;
  return voiceEraError(
    "VALIDATION_001",
    describeIssues(error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)], message: issue.message }))),
  );
}
