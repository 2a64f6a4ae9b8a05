import { z } from "@hono/zod-openapi";
import { callResult, campaignStatus } from "@switchboard/schema";
import { CAMPAIGN_DEFAULTS, CAMPAIGN_LIMITS, MAX_CONTACT_IDS } from "../../campaigns/settings.js";
import { LEGACY_CALL_STATUSES } from "./campaign-views.js";

/** MiniBotPanel's request and response shapes for /api/campaigns, built on the domain's limits. */

const { nameLength, descriptionLength, maxConcurrentCalls, batchSize, maxRetries } = CAMPAIGN_LIMITS;

const pacingFields = {
  max_concurrent_calls: z
    .number()
    .int()
    .min(maxConcurrentCalls.min)
    .max(maxConcurrentCalls.max)
    .openapi({ description: "Appels simultanés (1-50)", example: 5 }),
  batch_size: z
    .number()
    .int()
    .min(batchSize.min)
    .max(batchSize.max)
    .openapi({ description: "Taille des batchs (1-20)" }),
  retry_enabled: z.boolean().openapi({ description: "Activer retry" }),
  max_retries: z
    .number()
    .int()
    .min(maxRetries.min)
    .max(maxRetries.max)
    .openapi({ description: "Nombre de retry (0-5)" }),
};

const nameField = z.string().min(nameLength.min).max(nameLength.max).openapi({ example: "Prospection Q1 2025" });
const descriptionField = z.string().max(descriptionLength.max).nullable();
const scenarioField = z.string().min(1).max(100).openapi({ example: "scenario_finance_crypto" });

export const CampaignCreateBody = z
  .object({
    name: nameField,
    description: descriptionField.optional(),
    contact_ids: z
      .array(z.number().int().positive())
      .min(1)
      .max(MAX_CONTACT_IDS)
      .openapi({ description: "Liste des IDs contacts (1-10000)", example: [1, 2, 3, 4, 5] }),
    scenario: scenarioField.openapi({ description: "Nom du scénario (sans .json)" }),
    max_concurrent_calls: pacingFields.max_concurrent_calls.default(CAMPAIGN_DEFAULTS.maxConcurrentCalls),
    batch_size: pacingFields.batch_size.default(CAMPAIGN_DEFAULTS.batchSize),
    retry_enabled: pacingFields.retry_enabled.default(CAMPAIGN_DEFAULTS.retryEnabled),
    max_retries: pacingFields.max_retries.default(CAMPAIGN_DEFAULTS.maxRetries),
  })
  .strict()
  .openapi("CampaignCreate");

export const CampaignPatchBody = z
  .object({
    name: nameField,
    description: descriptionField,
    scenario: scenarioField,
    ...pacingFields,
  })
  .partial()
  .strict()
  .openapi("CampaignUpdate");

const pageFields = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .openapi({ description: "Nombre max de résultats (1-500)" }),
  offset: z.coerce.number().int().min(0).default(0).openapi({ description: "Offset pour pagination" }),
};

export const CampaignListQuery = z.object({
  status: z.enum(campaignStatus.enumValues).optional().openapi({ description: "Filtrer par statut" }),
  ...pageFields,
});

export const CallListQuery = z.object({
  status: z.enum(LEGACY_CALL_STATUSES).optional().openapi({ description: "Filtrer par statut" }),
  result: z.enum(callResult.enumValues).optional().openapi({ description: "Filtrer par résultat" }),
  ...pageFields,
});

const timestamp = z.string().openapi({ example: "2025-01-15T14:00:00.000000" });

const CountsSchema = z.object({
  total: z.number().int(),
  completed: z.number().int(),
  in_progress: z.number().int().optional(),
  pending: z.number().int(),
  leads: z.number().int().optional(),
  not_interested: z.number().int().optional(),
  callbacks: z.number().int().optional(),
});

export const CampaignDetail = z
  .object({
    id: z.number().int().openapi({ example: 42 }),
    name: z.string(),
    description: z.string().nullable(),
    scenario: z.string(),
    status: z.enum(campaignStatus.enumValues),
    max_concurrent_calls: z.number().int(),
    batch_size: z.number().int(),
    retry_enabled: z.boolean(),
    max_retries: z.number().int(),
    stats: CountsSchema,
    created_at: timestamp,
    started_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
  })
  .openapi("Campaign");

export const CampaignList = z
  .object({
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    campaigns: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        scenario: z.string(),
        status: z.enum(campaignStatus.enumValues),
        stats: CountsSchema,
        created_at: timestamp,
      }),
    ),
  })
  .openapi("CampaignList");

export const ActionResult = z
  .object({
    status: z.literal("success"),
    message: z.string().openapi({ example: "Campaign 42 started" }),
    campaign_id: z.number().int(),
    final_stats: CountsSchema.optional(),
  })
  .openapi("CampaignActionResult");

export const CallList = z
  .object({
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    calls: z.array(
      z.object({
        id: z.number().int(),
        uuid: z.string(),
        contact: z
          .object({
            phone: z.string(),
            first_name: z.string().nullable(),
            last_name: z.string().nullable(),
            company: z.string().nullable(),
          })
          .nullable(),
        status: z.enum(LEGACY_CALL_STATUSES),
        result: z.enum(callResult.enumValues).nullable(),
        duration: z.number().int().nullable(),
        sentiment: z.string().nullable(),
        created_at: timestamp,
      }),
    ),
  })
  .openapi("CallList");
