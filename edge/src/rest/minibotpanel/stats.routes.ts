import { createRoute, z } from "@hono/zod-openapi";
import { type CallStatus, callResult, campaignStatus } from "@switchboard/schema";
import { uptimeMs } from "../../ops/uptime.js";
import { workersLiveStatsStore } from "../../stats/live-cache.js";
import {
  type CampaignStats,
  type CampaignSummary,
  campaignLiveStats,
  campaignStats,
  campaignSummary,
  campaignTimeline,
  type LiveStats,
  type Ratio,
  type SystemStats,
  systemStats,
  TIMELINE_INTERVAL,
  type TimelineBucket,
} from "../../stats/service.js";
import { json } from "../shared/openapi.js";
import { callerWith } from "./auth.js";
import { LEGACY_CALL_STATUSES, type LegacyCallStatus, statusesFor } from "./campaign-views.js";
import { legacyTimestamp, minutes, percent, seconds, uptime } from "./format.js";
import { API_KEY_SECURITY, AUTHENTICATED_ERRORS, CampaignIdParams, errorResponse } from "./schemas.js";
import type { MiniBotPanelApp } from "./surface.js";

/** MiniBotPanel's statistics endpoints: validation, one service call, then the documented string formats. */

const API_VERSION = "3.0.0";
const NOT_FOUND = { 404: errorResponse("Campagne introuvable") };

const pct = (ratio: Ratio) => percent(ratio.part, ratio.whole);
const averageSeconds = (value: number | null) => seconds(value ?? 0);

// ---- response shapes -------------------------------------------------------------------------------------

const Percentage = z.string().openapi({ example: "26.4%", description: 'Une décimale, "0%" sans dénominateur' });
const Timestamp = z.string().openapi({ example: "2025-01-15T14:00:00.000000", description: "UTC, sans fuseau" });
const Duration = z.string().openapi({ example: "124.5s" });

const counts = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((key) => [key, z.number().int()])) as Record<K, z.ZodNumber>);

const StatusCounts = counts(LEGACY_CALL_STATUSES);
const ResultCounts = counts(callResult.enumValues);
const SentimentCounts = counts(["positive", "neutral", "negative"] as const);

const CampaignStatsBody = z
  .object({
    campaign_id: z.number().int().openapi({ example: 42 }),
    campaign_name: z.string(),
    campaign_status: z.enum(campaignStatus.enumValues),
    total: z.number().int(),
    status: StatusCounts,
    results: ResultCounts,
    sentiment: SentimentCounts,
    amd: z.object({
      human: z.number().int(),
      machine: z.number().int(),
      detection_rate: z.string().openapi({ example: "94.3%", description: 'human/(human+machine), ou "N/A"' }),
    }),
    averages: z.object({
      duration: Duration.openapi({ description: "Durée moyenne des appels de plus de 0 s" }),
      calls_per_hour: z.string().openapi({ example: "52.3", description: "Appels complétés par heure écoulée" }),
    }),
    conversion: z.object({
      leads: z.number().int(),
      rate: Percentage.openapi({ description: "leads / appels complétés" }),
    }),
    timestamps: z.object({
      created: Timestamp,
      started: Timestamp.nullable(),
      completed: Timestamp.nullable(),
      elapsed_seconds: z.number().int().openapi({ description: "Du démarrage à la fin (ou maintenant)" }),
    }),
  })
  .openapi("CampaignStats");

const LiveStatsBody = z
  .object({
    campaign_id: z.number().int(),
    campaign_name: z.string(),
    name: z.string().openapi({
      description: "Same as campaign_name: the document's own monitoring script reads `.name`.",
    }),
    status: z.enum(campaignStatus.enumValues),
    total: z.number().int(),
    completed: z.number().int(),
    in_progress: z.number().int().openapi({ description: "calling + ringing + in_progress" }),
    pending: z.number().int().openapi({ description: "pending + scheduled (retries) + suspended (credit)" }),
    results: counts(["leads", "not_interested", "callbacks", "answering_machines", "no_answer"] as const),
    percentages: z.object({
      completion: Percentage.openapi({ description: "completed / total" }),
      leads: Percentage.openapi({ description: "leads / completed" }),
      not_interested: Percentage.openapi({ description: "not_interested / completed" }),
    }),
    duration: z.object({ average: Duration, total: z.string().openapi({ example: "180.5min" }) }),
    sentiment: SentimentCounts.extend({ positive_rate: Percentage.openapi({ description: "positive / completed" }) }),
    eta: Timestamp.nullable().openapi({
      description: "Fin estimée au rythme actuel ; null sauf campagne en cours avec des appels complétés et en cours",
    }),
    last_update: Timestamp.openapi({ description: "Calcul des chiffres (cache de 5 secondes)" }),
  })
  .openapi("CampaignLiveStats");

const TimelineBody = z
  .object({
    campaign_id: z.number().int(),
    interval_minutes: z.number().int(),
    timeline: z.array(z.object({ timestamp: Timestamp, calls: z.number().int(), leads: z.number().int() })),
  })
  .openapi("CampaignTimeline");

const SystemStatsBody = z
  .object({
    system: z.object({ version: z.string(), status: z.literal("operational"), uptime: z.string() }),
    campaigns: counts(["total", "active", "completed"] as const),
    calls: z.object({
      total: z.number().int(),
      today: z.number().int().openapi({ description: "Appels passés depuis 00:00 UTC" }),
      active_now: z.number().int(),
      average_duration: Duration,
    }),
    contacts: counts(["total"] as const),
    performance: z.object({ conversion_rate: Percentage, total_leads: z.number().int() }),
    limits: z.object({ max_concurrent_calls: z.number().int(), current_usage: Percentage }),
  })
  .openapi("SystemStats");

const SummaryBody = z
  .object({
    campaign: z.object({
      id: z.number().int(),
      name: z.string(),
      scenario: z.string(),
      status: z.enum(campaignStatus.enumValues),
    }),
    summary: z.object({
      total_calls: z.number().int(),
      completed_calls: z.number().int(),
      completion_rate: Percentage,
      results: ResultCounts,
      conversion_rate: Percentage,
      average_duration: Duration,
      date_range: z.object({ started: Timestamp.nullable(), completed: Timestamp.nullable() }),
    }),
  })
  .openapi("CampaignSummary");

const TimelineQuery = z.object({
  interval: z.coerce
    .number()
    .int()
    .min(TIMELINE_INTERVAL.min)
    .max(TIMELINE_INTERVAL.max)
    .default(TIMELINE_INTERVAL.default)
    .openapi({ description: "Intervalle en minutes (1-1440)", example: 60 }),
});

// ---- formatting ----------------------------------------------------------------------------------------

/** Our statuses folded into MiniBotPanel's eight (see statusesFor). */
function legacyStatusCounts(statuses: Record<CallStatus, number>): Record<LegacyCallStatus, number> {
  return Object.fromEntries(
    LEGACY_CALL_STATUSES.map((legacy) => [legacy, statusesFor(legacy).reduce((sum, ours) => sum + statuses[ours], 0)]),
  ) as Record<LegacyCallStatus, number>;
}

function campaignStatsJson(stats: CampaignStats): z.infer<typeof CampaignStatsBody> {
  const { campaign } = stats;
  return {
    campaign_id: campaign.number,
    campaign_name: campaign.name,
    campaign_status: campaign.status,
    total: stats.total,
    status: legacyStatusCounts(stats.statuses),
    results: stats.results,
    sentiment: stats.sentiment,
    amd: {
      human: stats.amd.human,
      machine: stats.amd.machine,
      detection_rate: stats.amd.detection.whole > 0 ? pct(stats.amd.detection) : "N/A",
    },
    averages: {
      duration: averageSeconds(stats.averageDurationSeconds),
      calls_per_hour: stats.callsPerHour.toFixed(1),
    },
    conversion: { leads: stats.conversion.leads, rate: pct(stats.conversion.rate) },
    timestamps: {
      created: legacyTimestamp(campaign.createdAt),
      started: legacyTimestamp(campaign.startedAt),
      completed: legacyTimestamp(campaign.completedAt),
      elapsed_seconds: stats.elapsedSeconds,
    },
  };
}

function liveStatsJson(stats: LiveStats): z.infer<typeof LiveStatsBody> {
  const { campaign, results, sentiment } = stats;
  return {
    campaign_id: campaign.number,
    campaign_name: campaign.name,
    name: campaign.name,
    status: campaign.status,
    total: stats.total,
    completed: stats.completed,
    in_progress: stats.inProgress,
    pending: stats.pending,
    results: {
      leads: results.leads,
      not_interested: results.notInterested,
      callbacks: results.callbacks,
      answering_machines: results.answeringMachines,
      no_answer: results.noAnswer,
    },
    percentages: {
      completion: pct(stats.rates.completion),
      leads: pct(stats.rates.leads),
      not_interested: pct(stats.rates.notInterested),
    },
    duration: { average: averageSeconds(stats.duration.averageSeconds), total: minutes(stats.duration.totalSeconds) },
    sentiment: {
      positive: sentiment.positive,
      neutral: sentiment.neutral,
      negative: sentiment.negative,
      positive_rate: pct(sentiment.positiveRate),
    },
    eta: legacyTimestamp(stats.eta),
    last_update: legacyTimestamp(stats.lastUpdate),
  };
}

function timelineJson(campaignNumber: number, interval: number, buckets: TimelineBucket[]) {
  return {
    campaign_id: campaignNumber,
    interval_minutes: interval,
    timeline: buckets.map((bucket) => ({
      timestamp: legacyTimestamp(bucket.startsAt),
      calls: bucket.calls,
      leads: bucket.leads,
    })),
  };
}

function systemStatsJson(stats: SystemStats): z.infer<typeof SystemStatsBody> {
  return {
    system: { version: API_VERSION, status: "operational", uptime: uptime(uptimeMs()) },
    campaigns: stats.campaigns,
    calls: {
      total: stats.calls.total,
      today: stats.calls.today,
      active_now: stats.calls.activeNow,
      average_duration: averageSeconds(stats.calls.averageDurationSeconds),
    },
    contacts: stats.contacts,
    performance: {
      conversion_rate: pct(stats.performance.conversionRate),
      total_leads: stats.performance.totalLeads,
    },
    limits: { max_concurrent_calls: stats.limits.maxConcurrentCalls, current_usage: pct(stats.limits.usage) },
  };
}

function summaryJson(summary: CampaignSummary): z.infer<typeof SummaryBody> {
  const { campaign } = summary;
  return {
    campaign: { id: campaign.number, name: campaign.name, scenario: campaign.agentSlug, status: campaign.status },
    summary: {
      total_calls: summary.totalCalls,
      completed_calls: summary.completedCalls,
      completion_rate: pct(summary.completionRate),
      results: summary.results,
      conversion_rate: pct(summary.conversionRate),
      average_duration: averageSeconds(summary.averageDurationSeconds),
      date_range: { started: legacyTimestamp(campaign.startedAt), completed: legacyTimestamp(campaign.completedAt) },
    },
  };
}

// ---- routes --------------------------------------------------------------------------------------------

const statsTags = ["Statistics"];

const campaignStatsRoute = createRoute({
  method: "get",
  path: "/api/stats/campaign/{campaign_id}",
  tags: statsTags,
  summary: "Stats complètes",
  description: "Récupère toutes les statistiques d'une campagne.",
  security: API_KEY_SECURITY,
  request: { params: CampaignIdParams },
  responses: { 200: json(CampaignStatsBody, "Statistiques"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const liveStatsRoute = createRoute({
  method: "get",
  path: "/api/stats/campaign/{campaign_id}/live",
  tags: statsTags,
  summary: "Stats temps réel",
  description: "Stats optimisées pour monitoring live, mises en cache 5 secondes.",
  security: API_KEY_SECURITY,
  request: { params: CampaignIdParams },
  responses: { 200: json(LiveStatsBody, "Statistiques temps réel"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const timelineRoute = createRoute({
  method: "get",
  path: "/api/stats/campaign/{campaign_id}/timeline",
  tags: statsTags,
  summary: "Timeline activité",
  description:
    "Appels passés (et leads) par intervalle, alignés sur UTC ; seuls les intervalles avec au moins un appel " +
    "figurent. Un appel compte à son démarrage (à sa création s'il n'a pas d'heure de démarrage).",
  security: API_KEY_SECURITY,
  request: { params: CampaignIdParams, query: TimelineQuery },
  responses: { 200: json(TimelineBody, "Timeline"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

const systemStatsRoute = createRoute({
  method: "get",
  path: "/api/stats/system",
  tags: statsTags,
  summary: "Stats système globales",
  description: "Statistiques globales de l'organisation de l'appelant.",
  security: API_KEY_SECURITY,
  responses: { 200: json(SystemStatsBody, "Statistiques système"), ...AUTHENTICATED_ERRORS },
});

const summaryRoute = createRoute({
  method: "get",
  path: "/api/exports/summary/{campaign_id}",
  tags: ["Exports"],
  summary: "Résumé campagne",
  description: "Génère un résumé détaillé pour rapport.",
  security: API_KEY_SECURITY,
  request: { params: CampaignIdParams },
  responses: { 200: json(SummaryBody, "Résumé"), ...NOT_FOUND, ...AUTHENTICATED_ERRORS },
});

export function registerStatsRoutes(app: MiniBotPanelApp): void {
  app.openapi(campaignStatsRoute, async (c) => {
    const { orgId } = callerWith(c.var.principal, "campaigns:read");
    const { campaign_id } = c.req.valid("param");
    const stats = await campaignStats(c.var.database.db, orgId, { number: campaign_id });
    return c.json(campaignStatsJson(stats), 200);
  });

  app.openapi(liveStatsRoute, async (c) => {
    const { orgId } = callerWith(c.var.principal, "campaigns:read");
    const { campaign_id } = c.req.valid("param");
    const stats = await campaignLiveStats(c.var.database.db, orgId, campaign_id, workersLiveStatsStore());
    return c.json(liveStatsJson(stats), 200);
  });

  app.openapi(timelineRoute, async (c) => {
    const { orgId } = callerWith(c.var.principal, "campaigns:read");
    const { campaign_id } = c.req.valid("param");
    const { interval } = c.req.valid("query");
    const buckets = await campaignTimeline(c.var.database.db, orgId, { number: campaign_id }, interval);
    return c.json(timelineJson(campaign_id, interval, buckets), 200);
  });

  app.openapi(systemStatsRoute, async (c) => {
    const { orgId } = callerWith(c.var.principal, "campaigns:read");
    return c.json(systemStatsJson(await systemStats(c.var.database.db, orgId)), 200);
  });

  app.openapi(summaryRoute, async (c) => {
    const { orgId } = callerWith(c.var.principal, "campaigns:read");
    const { campaign_id } = c.req.valid("param");
    const summary = await campaignSummary(c.var.database.db, orgId, { number: campaign_id });
    return c.json(summaryJson(summary), 200);
  });
}
