import { createRoute, z } from "@hono/zod-openapi";
import {
  type AnalyticsScope,
  analyticsPeriod,
  callStatistics,
  sentimentBreakdown,
  topCallPhrases,
} from "../../analytics/service.js";
import { caller } from "./auth.js";
import { AUTHENTICATED_ERRORS, BEARER_SECURITY, json, periodQuery } from "./schemas.js";
import type { VoiceEraApp } from "./surface.js";

const tags = ["VoiceERA: Analytics"];
/** The period when a query names none. */
const DEFAULT_DAYS = 30;

const ScopeQuery = z.object({
  agent_id: z.string().optional(),
  campaign_id: z.string().optional(),
  ...periodQuery,
});

const callsRoute = createRoute({
  method: "get",
  path: "/analytics/calls",
  tags,
  summary: "Call Statistics",
  description:
    "Over the calls created in the period (30 days by default). Failed calls are failed, busy or unanswered; the " +
    "average duration is over connected calls (not busy, and ended or with a duration); cost per call averages " +
    "the charged calls.",
  security: BEARER_SECURITY,
  request: { query: ScopeQuery },
  responses: {
    200: json(
      z
        .object({
          total_calls: z.number().int(),
          completed_calls: z.number().int(),
          failed_calls: z.number().int(),
          average_duration: z.number(),
          success_rate: z.number(),
          cost_per_call: z.number(),
        })
        .openapi("VoiceEraCallStatistics"),
      "Statistics",
    ),
    ...AUTHENTICATED_ERRORS,
  },
});

const sentimentRoute = createRoute({
  method: "get",
  path: "/analytics/sentiment",
  tags,
  summary: "Sentiment Analysis",
  security: BEARER_SECURITY,
  request: { query: ScopeQuery },
  responses: {
    200: json(
      z
        .object({
          positive: z.number().int(),
          neutral: z.number().int(),
          negative: z.number().int(),
          positive_percentage: z.number(),
          neutral_percentage: z.number(),
          negative_percentage: z.number(),
        })
        .openapi("VoiceEraSentiment"),
      "Sentiment split",
    ),
    ...AUTHENTICATED_ERRORS,
  },
});

const phrasesRoute = createRoute({
  method: "get",
  path: "/analytics/top-phrases",
  tags,
  summary: "Top Phrases",
  description:
    "Two-word phrases callers said most, stop words of the agent's language removed. `count` is the number of " +
    "calls that said it, `frequency` their share (percent) of the calls where the caller spoke.",
  security: BEARER_SECURITY,
  request: { query: ScopeQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(20) }) },
  responses: {
    200: json(
      z
        .array(z.object({ phrase: z.string(), count: z.number().int(), frequency: z.number() }))
        .openapi("VoiceEraTopPhrases"),
      "Phrases, most frequent first",
    ),
    ...AUTHENTICATED_ERRORS,
  },
});

function scopeOf(query: z.infer<typeof ScopeQuery>): AnalyticsScope {
  const period = analyticsPeriod(
    { days: query.days, startDate: query.start_date, endDate: query.end_date },
    DEFAULT_DAYS,
  );
  return { agentId: query.agent_id, campaignId: query.campaign_id, ...period };
}

export function registerAnalyticsRoutes(app: VoiceEraApp): void {
  app.openapi(callsRoute, async (c) => {
    const principal = caller(c, "calls:read");
    const stats = await callStatistics(c.var.database.db, principal.orgId, scopeOf(c.req.valid("query")));
    return c.json(
      {
        total_calls: stats.totalCalls,
        completed_calls: stats.completedCalls,
        failed_calls: stats.failedCalls,
        average_duration: stats.averageDurationSeconds,
        success_rate: stats.successRate,
        cost_per_call: stats.costPerCall,
      },
      200,
    );
  });

  app.openapi(sentimentRoute, async (c) => {
    const principal = caller(c, "calls:read");
    const split = await sentimentBreakdown(c.var.database.db, principal.orgId, scopeOf(c.req.valid("query")));
    return c.json(
      {
        positive: split.positive,
        neutral: split.neutral,
        negative: split.negative,
        positive_percentage: split.positivePercentage,
        neutral_percentage: split.neutralPercentage,
        negative_percentage: split.negativePercentage,
      },
      200,
    );
  });

  app.openapi(phrasesRoute, async (c) => {
    const principal = caller(c, "calls:read");
    const query = c.req.valid("query");
    const phrases = await topCallPhrases(c.var.database.db, principal.orgId, scopeOf(query), query.limit);
    return c.json(phrases, 200);
  });
}
