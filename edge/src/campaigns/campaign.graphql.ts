import { encodeGlobalID } from "@pothos/plugin-relay";
import { campaignStatus } from "@switchboard/schema";
import { Agent } from "../agents/agent.graphql.js";
import { BillingAccount } from "../billing/billing.graphql.js";
import { Call, CallFilter, callFilterFrom } from "../calls/call.graphql.js";
import { listCalls } from "../calls/service.js";
import { Contact } from "../contacts/contact.graphql.js";
import type { InputFieldBuilder } from "../graphql/args.js";
import { builder } from "../graphql/builder.js";
import { db, orgOf } from "../graphql/context.js";
import { ErrorInterface, writeErrors } from "../graphql/errors.js";
import { numberConnection } from "../graphql/pagination.js";
import { applyCampaignAction, createCampaign, updateCampaign } from "./commands.js";
import { campaignEffects } from "./effects.js";
import { InvalidTransitionError, RejectedInputError } from "./errors.js";
import type { LifecycleAction } from "./lifecycle.js";
import { type CampaignRow, campaignsByIds, listCampaigns } from "./service.js";

const CampaignStatusEnum = builder.enumType("CampaignStatus", { values: campaignStatus.enumValues });
const CampaignActionEnum = builder.enumType("CampaignAction", {
  values: ["start", "pause", "resume", "stop", "delete", "update"] as const,
});

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
    billingAccount: t.field({
      type: BillingAccount,
      description: "The account its calls are charged to.",
      authScopes: { scope: "billing:manage" },
      resolve: (campaign) => campaign.accountId,
    }),
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
          listCalls(db(context), orgOf(context), { campaignId: campaign.id, ...callFilterFrom(args.filter) }, page),
        ),
    }),
  }),
});

builder.objectType(InvalidTransitionError, {
  name: "InvalidTransitionError",
  description: "The campaign's state does not allow the action (start a completed campaign, pause a paused one…).",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    action: t.field({ type: CampaignActionEnum, resolve: (error) => error.action }),
    from: t.field({ type: CampaignStatusEnum, resolve: (error) => error.from }),
  }),
});

builder.objectType(RejectedInputError, {
  name: "RejectedInputError",
  description: "Well-formed input the rules refuse: unknown contacts or agent, too many contacts.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString("field") }),
});

const campaignErrors = [...writeErrors, InvalidTransitionError, RejectedInputError];

const pacingFields = (t: InputFieldBuilder) => ({
  maxConcurrentCalls: t.int({ description: "1–50, default 5" }),
  batchSize: t.int({ description: "1–20, default 10" }),
  retryEnabled: t.boolean({ description: "default true" }),
  maxRetries: t.int({ description: "0–5, default 2" }),
});

const CreateCampaignInput = builder.inputType("CreateCampaignInput", {
  description:
    "Name the agent by `agentId` or by `scenario` (its slug), and contacts by `contactIds` or `contactNumbers`.",
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    agentId: t.globalID({ for: [Agent] }),
    scenario: t.string(),
    contactIds: t.globalIDList({ for: [Contact] }),
    contactNumbers: t.intList(),
    billingAccountId: t.globalID({
      for: [BillingAccount],
      description: "The account charged; the organisation's default account when absent.",
    }),
    ...pacingFields(t),
  }),
});

const UpdateCampaignInput = builder.inputType("UpdateCampaignInput", {
  description: "While running only maxConcurrentCalls may change; pending or paused campaigns take any field.",
  fields: (t) => ({
    name: t.string(),
    description: t.string(),
    agentId: t.globalID({ for: [Agent] }),
    scenario: t.string(),
    ...pacingFields(t),
  }),
});

type AgentChoice = { agentId?: { id: string } | null; scenario?: string | null };

/** Both or neither reach the domain as they are, so its validation reports them. */
function agentRef({ agentId, scenario }: AgentChoice) {
  if (agentId && scenario) return { id: agentId.id, slug: scenario };
  if (agentId) return { id: agentId.id };
  return scenario ? { slug: scenario } : undefined;
}

function contactRefs(input: { contactIds?: Array<{ id: string }> | null; contactNumbers?: number[] | null }) {
  if (input.contactIds && input.contactNumbers)
    return { ids: input.contactIds.map((ref) => ref.id), numbers: input.contactNumbers };
  if (input.contactIds) return { ids: input.contactIds.map((ref) => ref.id) };
  return input.contactNumbers ? { numbers: input.contactNumbers } : undefined;
}

/** GraphQL nulls mean "not given". */
function given<T extends Record<string, unknown>>(fields: T): Partial<{ [K in keyof T]: Exclude<T[K], null> }> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== null && value !== undefined),
  ) as never;
}

const ACTIONS = ["start", "pause", "resume", "stop"] as const satisfies readonly LifecycleAction[];

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

builder.mutationFields((t) => ({
  createCampaign: t.field({
    type: Campaign,
    description: "Creates a pending campaign with one pending call per contact.",
    authScopes: { scope: "campaigns:write" },
    errors: { types: campaignErrors },
    args: { input: t.arg({ type: CreateCampaignInput, required: true }) },
    resolve: (_root, { input }, context) => {
      const { agentId: _agent, scenario: _scenario, contactIds: _ids, contactNumbers: _numbers, ...others } = input;
      const { billingAccountId, ...rest } = others;
      const fields = {
        ...given(rest),
        agent: agentRef(input),
        contacts: contactRefs(input),
        ...(billingAccountId ? { account: { id: billingAccountId.id } } : {}),
      };
      return createCampaign(db(context), orgOf(context), fields, "graphql");
    },
  }),
  updateCampaign: t.field({
    type: Campaign,
    authScopes: { scope: "campaigns:write" },
    errors: { types: campaignErrors },
    args: {
      id: t.arg.globalID({ required: true, for: [Campaign] }),
      input: t.arg({ type: UpdateCampaignInput, required: true }),
    },
    resolve: (_root, { id, input }, context) => {
      const { agentId: _agent, scenario: _scenario, ...rest } = input;
      const agent = agentRef(input);
      return updateCampaign(
        db(context),
        orgOf(context),
        { id: id.id },
        { ...given(rest), ...(agent ? { agent } : {}) },
      );
    },
  }),
  ...Object.fromEntries(
    ACTIONS.map((action) => [
      `${action}Campaign`,
      t.field({
        type: Campaign,
        description: `Runs the state machine's ${action}; refusals come back as InvalidTransitionError.`,
        authScopes: { scope: "campaigns:write" },
        errors: { types: campaignErrors },
        args: { id: t.arg.globalID({ required: true, for: [Campaign] }) },
        resolve: async (_root, { id }, context) => {
          const effects = campaignEffects(context.env, context.waitUntil);
          const campaign = await applyCampaignAction(db(context), orgOf(context), { id: id.id }, action, effects);
          if (!campaign) throw new Error(`${action} returned no campaign`);
          return campaign;
        },
      }),
    ]),
  ),
  deleteCampaign: t.field({
    type: "ID",
    description: "Deletes a pending campaign and its calls; returns the deleted campaign's id.",
    authScopes: { scope: "campaigns:write" },
    errors: { types: campaignErrors },
    args: { id: t.arg.globalID({ required: true, for: [Campaign] }) },
    resolve: async (_root, { id }, context) => {
      await applyCampaignAction(
        db(context),
        orgOf(context),
        { id: id.id },
        "delete",
        campaignEffects(context.env, context.waitUntil),
      );
      return encodeGlobalID("Campaign", id.id);
    },
  }),
}));
