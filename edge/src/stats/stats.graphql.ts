import { type CallResult, type CallStatus, callResult, callStatus } from "@switchboard/schema";
import { Campaign } from "../campaigns/campaign.graphql.js";
import { builder } from "../graphql/builder.js";
import { db, orgOf } from "../graphql/context.js";
import type { CampaignStats, LiveResults, LiveStats } from "./derive.js";
import { workersLiveStatsStore } from "./live-cache.js";
import {
  campaignLiveStats,
  campaignStats,
  ratioValue,
  type SystemStats,
  systemStats,
  TIMELINE_INTERVAL,
  type TimelineBucket,
  timelineOf,
} from "./service.js";
import { timelineInterval } from "./timeline.js";

/**
 * Statistics as numbers: counts are Int, durations Float seconds, and every rate a Float ratio from 0 to 1
 * that is null when there is nothing to divide by (where MiniBotPanel's REST shows "0%" or "N/A").
 */

const RATE = "Ratio from 0 to 1; null when the denominator is 0.";

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());

const CallStatusCounts = builder.objectRef<Record<CallStatus, number>>("CallStatusCounts").implement({
  description: "Calls per status.",
  fields: (t) =>
    Object.fromEntries(
      callStatus.enumValues.map((status) => [camel(status), t.int({ resolve: (counts) => counts[status] })]),
    ),
});

const CallResultCounts = builder.objectRef<Record<CallResult, number>>("CallResultCounts").implement({
  description: "Calls per result.",
  fields: (t) =>
    Object.fromEntries(
      callResult.enumValues.map((result) => [camel(result), t.int({ resolve: (counts) => counts[result] })]),
    ),
});

const SentimentCounts = builder
  .objectRef<{ positive: number; neutral: number; negative: number }>("SentimentCounts")
  .implement({
    fields: (t) => ({
      positive: t.exposeInt("positive"),
      neutral: t.exposeInt("neutral"),
      negative: t.exposeInt("negative"),
    }),
  });

const AmdStats = builder.objectRef<CampaignStats["amd"]>("AmdStats").implement({
  description: "Answering-machine detection verdicts.",
  fields: (t) => ({
    human: t.exposeInt("human"),
    machine: t.exposeInt("machine"),
    detectionRate: t.float({
      nullable: true,
      description: `human / (human + machine). ${RATE}`,
      resolve: (amd) => ratioValue(amd.detection),
    }),
  }),
});

const CampaignStatsRef = builder.objectRef<CampaignStats>("CampaignStats").implement({
  description: "Every figure of a campaign, computed when asked.",
  fields: (t) => ({
    total: t.exposeInt("total"),
    statuses: t.field({ type: CallStatusCounts, resolve: (stats) => stats.statuses }),
    results: t.field({ type: CallResultCounts, resolve: (stats) => stats.results }),
    sentiment: t.field({ type: SentimentCounts, resolve: (stats) => stats.sentiment }),
    amd: t.field({ type: AmdStats, resolve: (stats) => stats.amd }),
    averageDurationSeconds: t.float({
      nullable: true,
      description: "Over calls lasting more than 0 s; null when there is none.",
      resolve: (stats) => stats.averageDurationSeconds,
    }),
    callsPerHour: t.exposeFloat("callsPerHour", {
      description: "Completed calls per hour since the start (to completion, or now); 0 before the start.",
    }),
    leads: t.int({ resolve: (stats) => stats.conversion.leads }),
    conversionRate: t.float({
      nullable: true,
      description: `leads / completed calls. ${RATE}`,
      resolve: (stats) => ratioValue(stats.conversion.rate),
    }),
    elapsedSeconds: t.exposeInt("elapsedSeconds", {
      description: "From the start to completion, or to now; 0 before the start.",
    }),
  }),
});

const LiveResultCounts = builder.objectRef<LiveResults>("LiveResultCounts").implement({
  fields: (t) => ({
    leads: t.exposeInt("leads"),
    notInterested: t.exposeInt("notInterested"),
    callbacks: t.exposeInt("callbacks"),
    answeringMachines: t.exposeInt("answeringMachines"),
    noAnswer: t.exposeInt("noAnswer"),
  }),
});

export const CampaignLiveStats = builder.objectRef<LiveStats>("CampaignLiveStats").implement({
  description: "Figures for live monitoring, shared with REST /live and cached for 5 seconds.",
  fields: (t) => ({
    total: t.exposeInt("total"),
    completed: t.exposeInt("completed"),
    inProgress: t.exposeInt("inProgress", { description: "Calling, ringing or in progress." }),
    pending: t.exposeInt("pending", { description: "Pending, or scheduled for a retry." }),
    results: t.field({ type: LiveResultCounts, resolve: (stats) => stats.results }),
    completionRate: t.float({
      nullable: true,
      description: `completed / total. ${RATE}`,
      resolve: (stats) => ratioValue(stats.rates.completion),
    }),
    leadRate: t.float({
      nullable: true,
      description: `leads / completed. ${RATE}`,
      resolve: (stats) => ratioValue(stats.rates.leads),
    }),
    notInterestedRate: t.float({
      nullable: true,
      description: `not interested / completed. ${RATE}`,
      resolve: (stats) => ratioValue(stats.rates.notInterested),
    }),
    averageDurationSeconds: t.float({
      nullable: true,
      description: "Over calls lasting more than 0 s; null when there is none.",
      resolve: (stats) => stats.duration.averageSeconds,
    }),
    totalDurationSeconds: t.float({ resolve: (stats) => stats.duration.totalSeconds }),
    sentiment: t.field({ type: SentimentCounts, resolve: (stats) => stats.sentiment }),
    positiveRate: t.float({
      nullable: true,
      description: `positive / completed. ${RATE}`,
      resolve: (stats) => ratioValue(stats.sentiment.positiveRate),
    }),
    eta: t.field({
      type: "DateTime",
      nullable: true,
      description:
        "Projected end at the pace so far (completed ÷ time since start, over pending + in progress); " +
        "null unless running with calls both completed and in progress.",
      resolve: (stats) => stats.eta,
    }),
    lastUpdate: t.field({
      type: "DateTime",
      description: "When the figures were computed.",
      resolve: (stats) => stats.lastUpdate,
    }),
  }),
});

const TimelineBucketRef = builder.objectRef<TimelineBucket>("TimelineBucket").implement({
  description: "Calls placed in one interval (by start time, else creation time), aligned on UTC.",
  fields: (t) => ({
    startsAt: t.field({ type: "DateTime", resolve: (bucket) => bucket.startsAt }),
    calls: t.exposeInt("calls"),
    leads: t.exposeInt("leads"),
  }),
});

builder.objectFields(Campaign, (t) => ({
  stats: t.field({
    type: CampaignStatsRef,
    resolve: (campaign, _args, context) => campaignStats(db(context), orgOf(context), { id: campaign.id }),
  }),
  liveStats: t.field({
    type: CampaignLiveStats,
    resolve: (campaign, _args, context) =>
      campaignLiveStats(db(context), orgOf(context), campaign.number, workersLiveStatsStore()),
  }),
  timeline: t.field({
    type: [TimelineBucketRef],
    description: "Only intervals with at least one call, oldest first.",
    args: {
      interval: t.arg.int({
        defaultValue: TIMELINE_INTERVAL.default,
        description: `Minutes per bucket (${TIMELINE_INTERVAL.min}-${TIMELINE_INTERVAL.max}).`,
        validate: timelineInterval.nullish(),
      }),
    },
    resolve: (campaign, args, context) =>
      timelineOf(db(context), orgOf(context), campaign.id, args.interval ?? TIMELINE_INTERVAL.default),
  }),
}));

const SystemCampaignCounts = builder.objectRef<SystemStats["campaigns"]>("SystemCampaignCounts").implement({
  fields: (t) => ({
    total: t.exposeInt("total"),
    active: t.exposeInt("active", { description: "Running." }),
    completed: t.exposeInt("completed"),
  }),
});

const SystemCallStats = builder.objectRef<SystemStats["calls"]>("SystemCallStats").implement({
  fields: (t) => ({
    total: t.exposeInt("total"),
    today: t.exposeInt("today", { description: "Placed since 00:00 UTC." }),
    activeNow: t.exposeInt("activeNow", { description: "Calling, ringing or in progress." }),
    averageDurationSeconds: t.float({
      nullable: true,
      description: "Over calls lasting more than 0 s; null when there is none.",
      resolve: (calls) => calls.averageDurationSeconds,
    }),
  }),
});

const SystemStatsRef = builder.objectRef<SystemStats>("SystemStats").implement({
  description: "Totals for the caller's organisation.",
  fields: (t) => ({
    campaigns: t.field({ type: SystemCampaignCounts, resolve: (stats) => stats.campaigns }),
    calls: t.field({ type: SystemCallStats, resolve: (stats) => stats.calls }),
    contacts: t.int({ resolve: (stats) => stats.contacts.total }),
    totalLeads: t.int({ resolve: (stats) => stats.performance.totalLeads }),
    conversionRate: t.float({
      nullable: true,
      description: `leads / completed calls. ${RATE}`,
      resolve: (stats) => ratioValue(stats.performance.conversionRate),
    }),
    maxConcurrentCalls: t.int({ resolve: (stats) => stats.limits.maxConcurrentCalls }),
    concurrencyUsage: t.float({
      description: "Active calls / maxConcurrentCalls, as a ratio from 0 to 1.",
      resolve: (stats) => ratioValue(stats.limits.usage) ?? 0,
    }),
  }),
});

builder.queryFields((t) => ({
  systemStats: t.field({
    type: SystemStatsRef,
    authScopes: { scope: "campaigns:read" },
    resolve: (_root, _args, context) => systemStats(db(context), orgOf(context)),
  }),
}));
