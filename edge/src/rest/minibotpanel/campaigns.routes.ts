import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { CallWithContact } from "../../calls/service.js";
import { listCampaignCallPage } from "../../calls/service.js";
import { applyCampaignAction, createCampaign, updateCampaign } from "../../campaigns/commands.js";
import { campaignEffects } from "../../campaigns/effects.js";
import type { LifecycleAction } from "../../campaigns/lifecycle.js";
import {
  type CallSummary,
  type CampaignView,
  campaignCallSummaries,
  campaignCallSummary,
  emptySummary,
  findCampaign,
  listCampaignPage,
} from "../../campaigns/service.js";
import type { AppBindings } from "../../http/app-types.js";
import { json, jsonBody } from "../shared/openapi.js";
import { callerWith } from "./auth.js";
import {
  campaignDetail,
  countsOf,
  detailCounts,
  durationSeconds,
  legacyCallStatus,
  statusesFor,
} from "./campaign-views.js";
import {
  ActionResult,
  CallList,
  CallListQuery,
  CampaignCreateBody,
  CampaignDetail,
  CampaignList,
  CampaignListQuery,
  CampaignPatchBody,
} from "./campaigns.schemas.js";
import { legacyTimestamp } from "./format.js";
import { API_KEY_SECURITY, AUTHENTICATED_ERRORS, CampaignIdParams, errorResponse } from "./schemas.js";
import type { MiniBotPanelApp } from "./surface.js";

const tags = ["Campaigns"];
const NOT_FOUND = { 404: errorResponse("Campagne introuvable") };

const createCampaignRoute = createRoute({
  method: "post",
  path: "/api/campaigns/",
  tags,
  summary: "Créer une campagne",
  security: API_KEY_SECURITY,
  request: jsonBody(CampaignCreateBody),
  responses: {
    201: json(CampaignDetail, "Campagne créée"),
    400: errorResponse("Contact IDs invalides, scénario inconnu ou plus de 10000 contacts"),
    ...AUTHENTICATED_ERRORS,
  },
});

const listCampaignsRoute = createRoute({
  method: "get",
  path: "/api/campaigns/",
  tags,
  summary: "Lister les campagnes",
  security: API_KEY_SECURITY,
  request: { query: CampaignListQuery },
  responses: { 200: json(CampaignList, "Campagnes"), ...AUTHENTICATED_ERRORS },
});

const getCampaignRoute = createRoute({
  method: "get",
  path: "/api/campaigns/{campaign_id}",
  tags,
  summary: "Détails d'une campagne",
  security: API_KEY_SECURITY,
  request: { params: CampaignIdParams },
  responses: { 200: json(CampaignDetail, "Campagne"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const updateCampaignRoute = createRoute({
  method: "patch",
  path: "/api/campaigns/{campaign_id}",
  tags,
  summary: "Modifier une campagne",
  description:
    "En cours (`running`) : seul `max_concurrent_calls` peut être modifié. `pending` ou `paused` : tous les champs.",
  security: API_KEY_SECURITY,
  request: { params: CampaignIdParams, ...jsonBody(CampaignPatchBody) },
  responses: {
    200: json(CampaignDetail, "Campagne modifiée"),
    400: errorResponse("Modification non autorisée dans cet état"),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const deleteCampaignRoute = createRoute({
  method: "delete",
  path: "/api/campaigns/{campaign_id}",
  tags,
  summary: "Supprimer une campagne non démarrée",
  security: API_KEY_SECURITY,
  request: { params: CampaignIdParams },
  responses: {
    204: { description: "Supprimée" },
    400: errorResponse("Seules les campagnes `pending` peuvent être supprimées"),
    ...NOT_FOUND,
    ...AUTHENTICATED_ERRORS,
  },
});

const listCallsRoute = createRoute({
  method: "get",
  path: "/api/campaigns/{campaign_id}/calls",
  tags,
  summary: "Lister les appels d'une campagne",
  security: API_KEY_SECURITY,
  request: { params: CampaignIdParams, query: CallListQuery },
  responses: { 200: json(CallList, "Appels"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const ACTIONS: Record<Exclude<LifecycleAction, "delete">, { summary: string; done: string; refusal: string }> = {
  start: { summary: "Démarrer une campagne", done: "started", refusal: "Campagne déjà en cours ou terminée" },
  pause: {
    summary: "Mettre en pause",
    done: "paused",
    refusal: "Seule une campagne `running` peut être mise en pause",
  },
  resume: { summary: "Reprendre", done: "resumed", refusal: "Seule une campagne `paused` peut être reprise" },
  stop: { summary: "Arrêter définitivement (status → cancelled)", done: "stopped", refusal: "Campagne déjà terminée" },
};

function actionRoute(action: keyof typeof ACTIONS) {
  const { summary, refusal } = ACTIONS[action];
  return createRoute({
    method: "post",
    path: `/api/campaigns/{campaign_id}/${action}`,
    tags,
    summary,
    security: API_KEY_SECURITY,
    request: { params: CampaignIdParams },
    responses: {
      200: json(ActionResult, "Action effectuée"),
      400: errorResponse(refusal),
      ...NOT_FOUND,
      ...AUTHENTICATED_ERRORS,
    },
  });
}

/** `/api/campaigns/` is the documented path; the bare `/api/campaigns` answers the same (FastAPI redirected it). */
function withoutTrailingSlash<R extends RouteConfig>(route: R): R {
  return { ...route, path: route.path.replace(/\/$/, ""), hide: true };
}

export function registerCampaignRoutes(app: MiniBotPanelApp): void {
  for (const route of [createCampaignRoute, withoutTrailingSlash(createCampaignRoute)]) {
    app.openapi(route, async (c) => {
      const principal = callerWith(c.var.principal, "campaigns:write");
      const body = c.req.valid("json");
      const db = c.var.database.db;
      const campaign = await createCampaign(db, principal.orgId, toCreateInput(body), "minibotpanel");
      const stats = await campaignCallSummary(db, principal.orgId, campaign.id);
      return c.json(campaignDetail(campaign, countsOf(stats, ["total", "completed", "pending"])), 201);
    });
  }

  for (const route of [listCampaignsRoute, withoutTrailingSlash(listCampaignsRoute)]) {
    app.openapi(route, async (c) => {
      const principal = callerWith(c.var.principal, "campaigns:read");
      const { status, limit, offset } = c.req.valid("query");
      const db = c.var.database.db;
      const page = await listCampaignPage(db, principal.orgId, { status }, { limit, offset });
      const summaries = await campaignCallSummaries(
        db,
        principal.orgId,
        page.rows.map((row) => row.id),
      );
      const campaigns = page.rows.map((row) => campaignListItem(row, summaries.get(row.id) ?? emptySummary()));
      return c.json({ total: page.total, limit, offset, campaigns }, 200);
    });
  }

  app.openapi(getCampaignRoute, async (c) => {
    const principal = callerWith(c.var.principal, "campaigns:read");
    const db = c.var.database.db;
    const campaign = await findCampaign(db, principal.orgId, { number: c.req.valid("param").campaign_id });
    return c.json(
      campaignDetail(campaign, detailCounts(await campaignCallSummary(db, principal.orgId, campaign.id))),
      200,
    );
  });

  app.openapi(updateCampaignRoute, async (c) => {
    const principal = callerWith(c.var.principal, "campaigns:write");
    const db = c.var.database.db;
    const ref = { number: c.req.valid("param").campaign_id };
    const campaign = await updateCampaign(db, principal.orgId, ref, toUpdateInput(c.req.valid("json")));
    return c.json(
      campaignDetail(campaign, detailCounts(await campaignCallSummary(db, principal.orgId, campaign.id))),
      200,
    );
  });

  app.openapi(deleteCampaignRoute, async (c) => {
    const principal = callerWith(c.var.principal, "campaigns:write");
    await applyCampaignAction(
      c.var.database.db,
      principal.orgId,
      { number: c.req.valid("param").campaign_id },
      "delete",
      effectsFor(c),
    );
    return c.body(null, 204);
  });

  for (const action of Object.keys(ACTIONS) as Array<keyof typeof ACTIONS>) {
    app.openapi(actionRoute(action), (c) => runAction(c, c.req.valid("param").campaign_id, action));
  }

  app.openapi(listCallsRoute, async (c) => {
    const principal = callerWith(c.var.principal, "calls:read");
    const { status, result, limit, offset } = c.req.valid("query");
    const db = c.var.database.db;
    const campaign = await findCampaign(db, principal.orgId, { number: c.req.valid("param").campaign_id });
    const statuses = status ? statusesFor(status) : undefined;
    const page = await listCampaignCallPage(db, principal.orgId, campaign.id, { statuses, result }, { limit, offset });
    return c.json({ total: page.total, limit, offset, calls: page.rows.map(callListItem) }, 200);
  });
}

async function runAction(c: Context<AppBindings>, number: number, action: keyof typeof ACTIONS) {
  const principal = callerWith(c.var.principal, "campaigns:write");
  const db = c.var.database.db;
  const campaign = await applyCampaignAction(db, principal.orgId, { number }, action, effectsFor(c));
  const result = {
    status: "success" as const,
    message: `Campaign ${number} ${ACTIONS[action].done}`,
    campaign_id: number,
  };
  if (action !== "stop" || !campaign) return c.json(result, 200);
  const stats = await campaignCallSummary(db, principal.orgId, campaign.id);
  return c.json(
    { ...result, final_stats: countsOf(stats, ["total", "completed", "pending", "leads", "notInterested"]) },
    200,
  );
}

type CreateBody = typeof CampaignCreateBody._output;
type PatchBody = typeof CampaignPatchBody._output;

function toCreateInput(body: CreateBody) {
  return {
    name: body.name,
    description: body.description,
    agent: { slug: body.scenario },
    contacts: { numbers: body.contact_ids },
    maxConcurrentCalls: body.max_concurrent_calls,
    batchSize: body.batch_size,
    retryEnabled: body.retry_enabled,
    maxRetries: body.max_retries,
  };
}

function toUpdateInput(body: PatchBody) {
  return withoutUndefined({
    name: body.name,
    description: body.description,
    agent: body.scenario === undefined ? undefined : { slug: body.scenario },
    maxConcurrentCalls: body.max_concurrent_calls,
    batchSize: body.batch_size,
    retryEnabled: body.retry_enabled,
    maxRetries: body.max_retries,
  });
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

function campaignListItem(campaign: CampaignView, summary: CallSummary) {
  const counts = countsOf(summary, ["total", "completed", "inProgress", "pending"]);
  return {
    id: campaign.number,
    name: campaign.name,
    scenario: campaign.scenario,
    status: campaign.status,
    stats: counts,
    created_at: legacyTimestamp(campaign.createdAt),
  };
}

function callListItem(call: CallWithContact) {
  return {
    id: call.number,
    uuid: call.id,
    contact: call.contact && {
      phone: call.contact.phone,
      first_name: call.contact.firstName,
      last_name: call.contact.lastName,
      company: call.contact.company,
    },
    status: legacyCallStatus(call.status),
    result: call.result,
    duration: durationSeconds(call.durationMs),
    sentiment: call.sentiment,
    created_at: legacyTimestamp(call.createdAt),
  };
}

function effectsFor(c: Context<AppBindings>) {
  return campaignEffects(c.var.env, (work) => c.executionCtx.waitUntil(work));
}
