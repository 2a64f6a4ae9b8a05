import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { applyCampaignAction, createCampaign } from "../../campaigns/commands.js";
import { campaignEffects } from "../../campaigns/effects.js";
import { type CampaignView, listCampaignPage } from "../../campaigns/service.js";
import { CAMPAIGN_LIMITS } from "../../campaigns/settings.js";
import type { AppBindings } from "../../http/app-types.js";
import { caller } from "./auth.js";
import { campaignStatusOf, campaignStatusWord, VOICEERA_CAMPAIGN_STATUSES, voiceEraTimestamp } from "./format.js";
import {
  AUTHENTICATED_ERRORS,
  BEARER_SECURITY,
  CampaignIdParams,
  errorResponse,
  json,
  jsonBody,
  pagingQuery,
  Timestamp,
} from "./schemas.js";
import type { VoiceEraApp } from "./surface.js";

const tags = ["VoiceERA: Campaigns"];
const NOT_FOUND = { 404: errorResponse("CAMPAIGN_001 campaign not found") };
const Status = z.enum(VOICEERA_CAMPAIGN_STATUSES);
const isoInstant = z.iso.datetime({ offset: true }).openapi({ example: "2024-04-01T00:00:00Z" });

const CampaignCreateBody = z
  .object({
    name: z.string().openapi({ example: "Q2 Marketing Campaign" }),
    agent_id: z.string().openapi({ example: "agent-uuid" }),
    phone_numbers: z
      .array(z.string())
      .min(1)
      .max(CAMPAIGN_LIMITS.contacts.max)
      .openapi({ description: "International numbers to call", example: ["+1234567890", "+1234567891"] }),
    start_time: isoInstant.optional(),
    end_time: isoInstant.optional(),
    max_concurrent_calls: z.number().int().optional().openapi({ example: 50 }),
    description: z.string().optional(),
  })
  .openapi("VoiceEraCampaignCreate");

const CampaignItem = z.object({
  id: z.string(),
  name: z.string(),
  agent_id: z.string(),
  status: Status,
  phone_numbers: z.array(z.string()),
  start_time: Timestamp.nullable(),
  end_time: Timestamp.nullable(),
  created_at: Timestamp,
});

const listRoute = createRoute({
  method: "get",
  path: "/campaigns",
  tags,
  summary: "List Campaigns",
  security: BEARER_SECURITY,
  request: { query: z.object({ agent_id: z.string().optional(), status: Status.optional(), ...pagingQuery(20) }) },
  responses: {
    200: json(
      z.object({ total: z.number().int(), items: z.array(CampaignItem) }).openapi("VoiceEraCampaignList"),
      "Campaigns",
    ),
    ...AUTHENTICATED_ERRORS,
  },
});

const createCampaignRoute = createRoute({
  method: "post",
  path: "/campaigns",
  tags,
  summary: "Create Campaign",
  description: "A draft: nothing is dialled until it is launched. Calls go out only between start_time and end_time.",
  security: BEARER_SECURITY,
  request: jsonBody(CampaignCreateBody),
  responses: {
    201: json(z.object({ id: z.string(), status: Status, created_at: Timestamp }), "Created as a draft"),
    404: errorResponse("AGENT_001 the agent does not exist"),
    ...AUTHENTICATED_ERRORS,
  },
});

const launchRoute = createRoute({
  method: "post",
  path: "/campaigns/{campaign_id}/launch",
  tags,
  summary: "Launch Campaign",
  description: "From draft or paused. A completed or cancelled campaign, or one already active, is refused.",
  security: BEARER_SECURITY,
  request: { params: CampaignIdParams },
  responses: {
    200: json(z.object({ id: z.string(), status: Status, launched_at: Timestamp }), "Launched"),
    409: errorResponse("CAMPAIGN_002 cannot launch campaign"),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const pauseRoute = createRoute({
  method: "post",
  path: "/campaigns/{campaign_id}/pause",
  tags,
  summary: "Pause Campaign",
  description: "Only an active campaign pauses; calls on the line finish.",
  security: BEARER_SECURITY,
  request: { params: CampaignIdParams },
  responses: {
    200: json(z.object({ id: z.string(), status: Status, paused_at: Timestamp }), "Paused"),
    409: errorResponse("CAMPAIGN_003 only an active campaign can be paused"),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

/** The numbers as the client gave them at creation (kept in the campaign's settings). */
function phoneNumbersOf(campaign: CampaignView): string[] {
  const numbers = campaign.settings.phone_numbers;
  return Array.isArray(numbers) ? numbers.filter((value): value is string => typeof value === "string") : [];
}

function item(campaign: CampaignView) {
  return {
    id: campaign.id,
    name: campaign.name,
    agent_id: campaign.agentId,
    status: campaignStatusWord(campaign.status),
    phone_numbers: phoneNumbersOf(campaign),
    start_time: voiceEraTimestamp(campaign.windowStartsAt),
    end_time: voiceEraTimestamp(campaign.windowEndsAt),
    created_at: voiceEraTimestamp(campaign.createdAt),
  };
}

export function registerCampaignRoutes(app: VoiceEraApp): void {
  app.openapi(listRoute, async (c) => {
    const principal = caller(c, "campaigns:read");
    const { agent_id, status, skip, limit } = c.req.valid("query");
    const filter = { agentId: agent_id, status: status ? campaignStatusOf(status) : undefined };
    const page = await listCampaignPage(c.var.database.db, principal.orgId, filter, { offset: skip, limit });
    return c.json({ total: page.total, items: page.rows.map(item) }, 200);
  });

  app.openapi(createCampaignRoute, async (c) => {
    const principal = caller(c, "campaigns:write");
    const body = c.req.valid("json");
    const campaign = await createCampaign(
      c.var.database.db,
      principal.orgId,
      {
        name: body.name,
        description: body.description,
        agent: { id: body.agent_id },
        contacts: { phones: body.phone_numbers },
        ...(body.max_concurrent_calls === undefined ? {} : { maxConcurrentCalls: body.max_concurrent_calls }),
        ...(body.start_time ? { windowStartsAt: new Date(body.start_time) } : {}),
        ...(body.end_time ? { windowEndsAt: new Date(body.end_time) } : {}),
        settings: { phone_numbers: body.phone_numbers },
      },
      "voiceera",
    );
    const status = campaignStatusWord(campaign.status);
    return c.json({ id: campaign.id, status, created_at: voiceEraTimestamp(campaign.createdAt) }, 201);
  });

  app.openapi(launchRoute, async (c) => {
    const principal = caller(c, "campaigns:write");
    const campaign = await act(c, principal.orgId, c.req.valid("param").campaign_id, "start");
    const status = campaignStatusWord(campaign.status);
    return c.json(
      { id: campaign.id, status, launched_at: voiceEraTimestamp(campaign.startedAt ?? campaign.updatedAt) },
      200,
    );
  });

  app.openapi(pauseRoute, async (c) => {
    const principal = caller(c, "campaigns:write");
    const campaign = await act(c, principal.orgId, c.req.valid("param").campaign_id, "pause");
    const status = campaignStatusWord(campaign.status);
    return c.json(
      { id: campaign.id, status, paused_at: voiceEraTimestamp(campaign.pausedAt ?? campaign.updatedAt) },
      200,
    );
  });
}

async function act(
  c: Context<AppBindings>,
  orgId: string,
  campaign_id: string,
  action: "start" | "pause",
): Promise<CampaignView> {
  const effects = campaignEffects(c.var.env, (work) => c.executionCtx.waitUntil(work));
  const campaign = await applyCampaignAction(c.var.database.db, orgId, { id: campaign_id }, action, effects);
  // Only delete returns null; start and pause always leave the campaign.
  if (!campaign) throw new Error(`campaign ${campaign_id} vanished during ${action}`);
  return campaign;
}
