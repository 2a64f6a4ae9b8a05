import { z } from "@hono/zod-openapi";

/** Shared request and response pieces of the MiniBotPanel surface. */

export const CampaignIdParams = z.object({
  campaign_id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: "campaign_id", in: "path" }, example: 42, description: "ID de la campagne" }),
});

export const CallUuidParams = z.object({
  call_uuid: z
    .string()
    .min(1)
    .openapi({ param: { name: "call_uuid", in: "path" }, description: "UUID de l'appel" }),
});

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "HTTP_404" }),
      message: z.string().openapi({ example: "Campaign 999 not found" }),
      details: z.unknown().optional(),
      request_id: z.string(),
    }),
  })
  .openapi("Error");

export const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorBody } },
  description,
});

/** The error responses every authenticated endpoint can give. */
export const AUTHENTICATED_ERRORS = {
  401: errorResponse("Mot de passe API manquant ou invalide"),
  422: errorResponse("Données de validation invalides"),
} as const;

export const API_KEY_SECURITY: Array<Record<string, string[]>> = [{ ApiKeyHeader: [] }, { ApiKeyQuery: [] }];
