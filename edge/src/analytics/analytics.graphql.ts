import { z } from "zod";
import { Agent } from "../agents/agent.graphql.js";
import { Campaign } from "../campaigns/campaign.graphql.js";
import { builder } from "../graphql/builder.js";
import { db, orgOf } from "../graphql/context.js";
import type { PhraseCount } from "./phrases.js";
import {
  type AnalyticsScope,
  type CallStatistics,
  callStatistics,
  type SentimentBreakdown,
  sentimentBreakdown,
  topCallPhrases,
} from "./service.js";

const CallStatisticsRef = builder.objectRef<CallStatistics>("CallStatistics").implement({
  fields: (t) => ({
    totalCalls: t.exposeInt("totalCalls"),
    completedCalls: t.exposeInt("completedCalls"),
    failedCalls: t.exposeInt("failedCalls", { description: "Failed, busy or unanswered." }),
    averageDurationSeconds: t.exposeFloat("averageDurationSeconds", { description: "Over connected calls." }),
    successRate: t.exposeFloat("successRate", { description: "Completed calls in percent of all calls." }),
    costPerCall: t.exposeFloat("costPerCall"),
  }),
});

const SentimentBreakdownRef = builder.objectRef<SentimentBreakdown>("SentimentBreakdown").implement({
  description: "How the analysed calls split by sentiment; calls without one are left out.",
  fields: (t) => ({
    positive: t.exposeInt("positive"),
    neutral: t.exposeInt("neutral"),
    negative: t.exposeInt("negative"),
    positivePercentage: t.exposeFloat("positivePercentage"),
    neutralPercentage: t.exposeFloat("neutralPercentage"),
    negativePercentage: t.exposeFloat("negativePercentage"),
  }),
});

const PhraseCountRef = builder.objectRef<PhraseCount>("PhraseCount").implement({
  fields: (t) => ({
    phrase: t.exposeString("phrase"),
    count: t.exposeInt("count", { description: "How many calls said the phrase." }),
    frequency: t.exposeFloat("frequency", { description: "Those calls in percent of the calls with speech." }),
  }),
});

const CallAnalytics = builder.objectRef<AnalyticsScope>("CallAnalytics").implement({
  description: "Figures over the calls of a scope: an agent, a campaign and a period (each optional).",
  fields: (t) => ({
    statistics: t.field({
      type: CallStatisticsRef,
      resolve: (scope, _args, context) => callStatistics(db(context), orgOf(context), scope),
    }),
    sentiment: t.field({
      type: SentimentBreakdownRef,
      resolve: (scope, _args, context) => sentimentBreakdown(db(context), orgOf(context), scope),
    }),
    topPhrases: t.field({
      type: [PhraseCountRef],
      description: "The most frequent two-word phrases callers said, stop words removed for each agent's language.",
      args: { limit: t.arg.int({ defaultValue: 10, validate: z.number().int().min(1).max(100).nullish() }) },
      resolve: (scope, args, context) => topCallPhrases(db(context), orgOf(context), scope, args.limit ?? 10),
    }),
  }),
});

builder.queryFields((t) => ({
  callAnalytics: t.field({
    type: CallAnalytics,
    authScopes: { scope: "calls:read" },
    args: {
      agentId: t.arg.globalID({ for: [Agent] }),
      campaignId: t.arg.globalID({ for: [Campaign] }),
      from: t.arg({ type: "DateTime", description: "Calls created at or after this instant." }),
      to: t.arg({ type: "DateTime", description: "Calls created at or before this instant." }),
    },
    resolve: (_root, args) => ({
      ...(args.agentId ? { agentId: args.agentId.id } : {}),
      ...(args.campaignId ? { campaignId: args.campaignId.id } : {}),
      ...(args.from ? { from: args.from } : {}),
      ...(args.to ? { to: args.to } : {}),
    }),
  }),
}));
