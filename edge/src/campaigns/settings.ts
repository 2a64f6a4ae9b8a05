import { z } from "zod";

/** MiniBotPanel's documented limits and defaults; every surface validates against these. */
export const CAMPAIGN_LIMITS = {
  nameLength: { min: 1, max: 200 },
  descriptionLength: { max: 500 },
  contacts: { min: 1, max: 10_000 },
  maxConcurrentCalls: { min: 1, max: 50 },
  batchSize: { min: 1, max: 20 },
  maxRetries: { min: 0, max: 5 },
} as const;

export const CAMPAIGN_DEFAULTS = { maxConcurrentCalls: 5, batchSize: 10, retryEnabled: true, maxRetries: 2 } as const;

/** Far above the business limit, so an oversized list gets the documented 400 rather than a parse failure. */
export const MAX_CONTACT_IDS = 100_000;

const { nameLength, descriptionLength, contacts, maxConcurrentCalls, batchSize, maxRetries } = CAMPAIGN_LIMITS;

const agentRef = z.union([
  z.object({ slug: z.string().min(1).max(100) }).strict(),
  z.object({ id: z.string().min(1) }).strict(),
]);

/** The billing account charged; the organisation's default when absent. */
const accountRef = z.union([
  z.object({ id: z.string().min(1) }).strict(),
  z.object({ code: z.string().min(1).max(100) }).strict(),
]);

/** The upper bound is a business rule (MiniBotPanel answers 400), checked after parsing; arrays are capped for safety. */
const contactRefs = z.union([
  z.object({ numbers: z.array(z.number().int().positive()).min(contacts.min).max(MAX_CONTACT_IDS) }).strict(),
  z.object({ ids: z.array(z.string().min(1)).min(contacts.min).max(MAX_CONTACT_IDS) }).strict(),
  /** Phone numbers to call: the organisation's contact with that number, created when there is none. */
  z.object({ phones: z.array(z.string().trim().min(3).max(32)).min(contacts.min).max(MAX_CONTACT_IDS) }).strict(),
]);

export type ContactRefs = z.infer<typeof contactRefs>;

const pacing = {
  maxConcurrentCalls: z.number().int().min(maxConcurrentCalls.min).max(maxConcurrentCalls.max),
  batchSize: z.number().int().min(batchSize.min).max(batchSize.max),
  retryEnabled: z.boolean(),
  maxRetries: z.number().int().min(maxRetries.min).max(maxRetries.max),
};

export const createCampaignInput = z
  .object({
    name: z.string().trim().min(nameLength.min).max(nameLength.max),
    description: z.string().max(descriptionLength.max).nullish(),
    agent: agentRef,
    contacts: contactRefs,
    account: accountRef.optional(),
    maxConcurrentCalls: pacing.maxConcurrentCalls.default(CAMPAIGN_DEFAULTS.maxConcurrentCalls),
    batchSize: pacing.batchSize.default(CAMPAIGN_DEFAULTS.batchSize),
    retryEnabled: pacing.retryEnabled.default(CAMPAIGN_DEFAULTS.retryEnabled),
    maxRetries: pacing.maxRetries.default(CAMPAIGN_DEFAULTS.maxRetries),
    /** Calls are placed only inside this window, when given. */
    windowStartsAt: z.date().optional(),
    windowEndsAt: z.date().optional(),
    /** Surface-specific options kept verbatim (campaigns.settings). */
    settings: z.record(z.string(), z.unknown()).optional(),
  })
  .refine(
    (campaign) => !campaign.windowStartsAt || !campaign.windowEndsAt || campaign.windowEndsAt > campaign.windowStartsAt,
    {
      path: ["windowEndsAt"],
      message: "The end of the calling window must come after its start",
    },
  );

export const updateCampaignInput = z
  .object({
    name: z.string().trim().min(nameLength.min).max(nameLength.max),
    description: z.string().max(descriptionLength.max).nullable(),
    agent: agentRef,
    /** SpeechAI's batch priority. */
    priority: z.number().int().min(1).max(10),
    ...pacing,
  })
  .partial();

export type CreateCampaignInput = z.input<typeof createCampaignInput>;
export type UpdateCampaignInput = z.input<typeof updateCampaignInput>;
export type AgentRef = z.infer<typeof agentRef>;

/** Dials per call: the first plus the retries, when retrying is on. */
export function attemptsAllowed(settings: { retryEnabled: boolean; maxRetries: number }): number {
  return settings.retryEnabled ? settings.maxRetries + 1 : 1;
}
