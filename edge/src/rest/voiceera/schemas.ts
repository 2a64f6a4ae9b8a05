import { z } from "@hono/zod-openapi";

/** Shared request and response pieces of the VoiceERA surface. */

export const ErrorBody = z
  .object({
    success: z.literal(false),
    data: z.null(),
    error: z.object({
      code: z.string().openapi({ example: "AUTH_001" }),
      message: z.string().openapi({ example: "Invalid credentials" }),
      details: z.string().nullable().openapi({ example: "Invalid email or password" }),
    }),
    timestamp: z.string().openapi({ example: "2024-01-29T10:30:00Z" }),
  })
  .openapi("VoiceEraError");

export const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorBody } },
  description,
});

export { json, jsonBody } from "../shared/openapi.js";

/** The errors every authenticated endpoint can give. */
export const AUTHENTICATED_ERRORS = {
  401: errorResponse("AUTH_002 token expired, AUTH_003 token invalid or missing"),
  403: errorResponse("AUTH_004 permission denied"),
  422: errorResponse("VALIDATION_001 invalid request"),
  429: errorResponse("RATE_LIMIT_001: 100 requests a minute per caller"),
} as const;

export const BEARER_SECURITY: Array<Record<string, string[]>> = [{ BearerAuth: [] }, { ApiKeyHeader: [] }];

export const Timestamp = z.string().openapi({ example: "2024-01-29T10:30:00Z" });

/** `skip`/`limit` offset paging, with the surface's default page size. */
export function pagingQuery(defaultLimit: number) {
  return {
    skip: z.coerce.number().int().min(0).default(0).openapi({ example: 0 }),
    limit: z.coerce.number().int().min(1).max(100).default(defaultLimit).openapi({ example: defaultLimit }),
  };
}

const pathId = (name: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name, in: "path" } });
export const AgentIdParams = z.object({ agent_id: pathId("agent_id") });
export const CampaignIdParams = z.object({ campaign_id: pathId("campaign_id") });
export const CallIdParams = z.object({ call_id: pathId("call_id") });

/** Analytics' optional period: the last `days` days, or start_date/end_date (a bare date covers its whole day). */
export const periodQuery = {
  days: z.coerce.number().int().min(1).max(3650).optional().openapi({ example: 30 }),
  start_date: z.string().optional().openapi({ example: "2024-01-01" }),
  end_date: z.string().optional().openapi({ example: "2024-01-31" }),
};
