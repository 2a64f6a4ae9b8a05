import { campaignStatus } from "@switchboard/schema";
import { Agent } from "../agents/agent.graphql.js";
import { Call, CallFilter } from "../calls/call.graphql.js";
import { listCalls } from "../calls/service.js";
import { builder } from "../graphql/builder.js";
import { db, orgOf } from "../graphql/context.js";
import { numberConnection } from "../graphql/pagination.js";
import { type CampaignRow, campaignsByIds, listCampaigns } from "./service.js";

const CampaignStatusEnum = builder.enumType("CampaignStatus", { values: campaignStatus.enumValues });

export const Campaign = builder.loadableNode("Campaign", {
  id: { resolve: (campaign: CampaignRow) => campaign.id },
  load: (ids: string[], context) => campaignsByIds(db(context), orgOf(context), ids),
  sort: (campaign) => campaign.id,
  authScopes: { scope: "campaigns:read" },
  fields: (t) => ({
    number: t.exposeInt("number", { description: "Integer id used by MiniBotPanel clients." }),
    batchCode: t.exposeString("batchCode", {
      nullable: true,
      description: "SpeechAI's batch-… id, when created there.",
    }),
    objectId: t.exposeString("objectId", { description: "24-hex id accepted by SpeechAI clients." }),
    name: t.exposeString("name"),
    description: t.exposeString("description", { nullable: true }),
    status: t.field({ type: CampaignStatusEnum, resolve: (campaign) => campaign.status }),
    agent: t.field({ type: Agent, resolve: (campaign) => campaign.agentId }),
    maxConcurrentCalls: t.exposeInt("maxConcurrentCalls"),
    batchSize: t.exposeInt("batchSize"),
    retryEnabled: t.exposeBoolean("retryEnabled"),
    maxRetries: t.exposeInt("maxRetries"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
    calls: t.connection({
      type: Call,
      args: { filter: t.arg({ type: CallFilter }) },
      resolve: (campaign, args, context) =>
        numberConnection(args, (page) =>
          listCalls(
            db(context),
            orgOf(context),
            { campaignId: campaign.id, ...(args.filter?.status ? { status: args.filter.status } : {}) },
            page,
          ),
        ),
    }),
  }),
});

builder.queryFields((t) => ({
  campaigns: t.connection({
    type: Campaign,
    authScopes: { scope: "campaigns:read" },
    args: { status: t.arg({ type: CampaignStatusEnum }) },
    resolve: (_root, args, context) =>
      numberConnection(args, (page) =>
        listCampaigns(db(context), orgOf(context), args.status ? { status: args.status } : {}, page),
      ),
  }),
}));
