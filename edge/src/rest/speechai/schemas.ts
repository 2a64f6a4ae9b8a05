import { z } from "@hono/zod-openapi";

/** Shared request and response pieces of the SpeechAI surface. */

export const ErrorBody = z
  .object({ detail: z.string().openapi({ example: "Account acc-1a2b3c4d5e6f not found" }) })
  .openapi("SpeechAiError");

export const ValidationErrorBody = z
  .object({
    detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })),
  })
  .openapi("SpeechAiValidationError");

export const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorBody } },
  description,
});

export { json, jsonBody } from "../shared/openapi.js";

/** The errors every endpoint can give (the document shows no auth; this surface requires a credential). */
export const AUTHENTICATED_ERRORS = {
  401: errorResponse("No credential, or a wrong one"),
  403: errorResponse("The credential lacks the scope"),
  422: { content: { "application/json": { schema: ValidationErrorBody } }, description: "Validation Error" },
} as const;

export const NOT_FOUND = { 404: errorResponse("Not found, or another organisation's") } as const;
export const BAD_REQUEST = { 400: errorResponse("Refused by a business rule") } as const;

export const SPEECHAI_SECURITY: Array<Record<string, string[]>> = [
  { ApiKeyHeader: [] },
  { ApiKeyQuery: [] },
  { BearerAuth: [] },
];

/** `skip`/`limit` offset paging with the endpoint's default page size. */
export function pagingQuery(defaultLimit: number) {
  return {
    limit: z.coerce.number().int().min(1).max(1000).default(defaultLimit).openapi({ example: defaultLimit }),
    skip: z.coerce.number().int().min(0).default(0).openapi({ example: 0 }),
  };
}

const pathId = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name, in: "path" }, example });

export const AccountIdParams = z.object({ account_id: pathId("account_id", "retail_express") });
export const BatchIdParams = z.object({ batch_id: pathId("batch_id", "batch-2025-10-25-144604-615037") });
export const JobIdParams = z.object({ job_id: pathId("job_id", "job-abc123") });

export const Timestamp = z.string().openapi({ example: "2025-10-25T17:46:04.648000" });

export const SuccessMessage = z.object({ success: z.literal(true), message: z.string() });
