import { encodeGlobalID } from "@pothos/plugin-relay";
import { GraphQLError } from "graphql";
import { AmdResultEnum, Call, CallResultEnum, CallStatusEnum, SpeakerEnum } from "../calls/call.graphql.js";
import { callsByIds } from "../calls/service.js";
import { Campaign } from "../campaigns/campaign.graphql.js";
import { findCampaign } from "../campaigns/service.js";
import { builder } from "../graphql/builder.js";
import { db, type GraphQLContext, orgOf } from "../graphql/context.js";
import { NotFoundError } from "../shared/errors.js";
import { reviveLiveStats } from "../stats/live-cache.js";
import { freshCampaignLiveStats, type LiveStats } from "../stats/service.js";
import { CampaignLiveStats } from "../stats/stats.graphql.js";
import { ACTIVITY_KINDS, type ActivityItem, type CallSnapshot, type HubMessage, type SpokenTurn } from "./events.js";
import { subscribeToHub } from "./subscribe.js";
import { topics } from "./topics.js";

/**
 * Subscription root fields, served over SSE by Yoga (graphql-sse distinct connections mode). Each is authorised
 * when it starts, exactly as a query on the same campaign or call would be, then fed by the organisation's
 * EventHub (edge/src/live/hub.ts).
 */

const globalId = (typename: string, id: string | null) => (id === null ? null : encodeGlobalID(typename, id));

const CallUpdate = builder.objectRef<CallSnapshot>("CallUpdate").implement({
  description: "A call's line state right after a change (status, result, AMD verdict or duration).",
  fields: (t) => ({
    callId: t.id({ resolve: (call) => encodeGlobalID("Call", call.id) }),
    campaignId: t.id({ nullable: true, resolve: (call) => globalId("Campaign", call.campaignId) }),
    status: t.field({ type: CallStatusEnum, resolve: (call) => call.status }),
    result: t.field({ type: CallResultEnum, nullable: true, resolve: (call) => call.result }),
    amdResult: t.field({ type: AmdResultEnum, nullable: true, resolve: (call) => call.amdResult }),
    durationMs: t.exposeInt("durationMs", { nullable: true }),
    attempts: t.exposeInt("attempts"),
    hangupCause: t.exposeString("hangupCause", { nullable: true }),
  }),
});

const TranscriptTurn = builder.objectRef<SpokenTurn>("TranscriptTurn").implement({
  description:
    "One turn of a call's conversation as it was spoken; when not final, what the recogniser has heard of the contact so far (the final turn with the same sequence replaces it).",
  fields: (t) => ({
    callId: t.id({ resolve: (turn) => encodeGlobalID("Call", turn.callId) }),
    sequence: t.exposeInt("sequence"),
    speaker: t.field({ type: SpeakerEnum, resolve: (turn) => turn.speaker }),
    text: t.exposeString("text"),
    intent: t.exposeString("intent", { nullable: true }),
    spokenAt: t.field({ type: "DateTime", resolve: (turn) => new Date(turn.spokenAt) }),
    final: t.exposeBoolean("final", { description: "False for a partial transcript, which is never stored." }),
  }),
});

const ActivityKindEnum = builder.enumType("ActivityKind", { values: ACTIVITY_KINDS });

const Activity = builder.objectRef<ActivityItem>("Activity").implement({
  description: "An entry of the organisation's activity feed.",
  fields: (t) => ({
    kind: t.field({ type: ActivityKindEnum, resolve: (item) => item.kind }),
    campaignId: t.id({ nullable: true, resolve: (item) => globalId("Campaign", item.campaignId) }),
    callId: t.id({ nullable: true, resolve: (item) => globalId("Call", item.callId) }),
    occurredAt: t.field({ type: "DateTime", resolve: (item) => new Date(item.occurredAt) }),
  }),
});

builder.subscriptionFields((t) => ({
  campaignProgress: t.field({
    type: CampaignLiveStats,
    description: "The campaign's live figures: now, then after every change, at most 4 times a second.",
    authScopes: { scope: "campaigns:read" },
    args: { campaignId: t.arg.globalID({ required: true, for: [Campaign] }) },
    subscribe: async (_root, { campaignId }, context) => {
      const campaign = await authorised(findCampaign(db(context), orgOf(context), { id: campaignId.id }));
      const feed = await hub(context, topics.progress(campaign.id), (message) =>
        message.type === "progress_stats" ? reviveLiveStats(message.stats as never) : null,
      );
      const now = await freshCampaignLiveStats(db(context), orgOf(context), { id: campaign.id });
      return startingWith(now, feed);
    },
    resolve: (stats: LiveStats) => stats,
  }),
  callUpdated: t.field({
    type: CallUpdate,
    description: "Changes to one call, or to every call of one campaign: give exactly one of campaignId and callId.",
    authScopes: { scope: "calls:read" },
    args: {
      campaignId: t.arg.globalID({ for: [Campaign] }),
      callId: t.arg.globalID({ for: [Call] }),
    },
    subscribe: async (_root, args, context) => {
      if (Boolean(args.campaignId) === Boolean(args.callId)) {
        throw new GraphQLError("Give exactly one of campaignId and callId", {
          extensions: { code: "BAD_USER_INPUT" },
        });
      }
      if (args.campaignId) {
        const campaign = await authorised(findCampaign(db(context), orgOf(context), { id: args.campaignId.id }));
        return hub(context, topics.campaignCalls(campaign.id), (message) =>
          message.type === "call" && message.call.campaignId === campaign.id ? message.call : null,
        );
      }
      const call = await ownCall(context, args.callId?.id ?? "");
      return hub(context, topics.call(call), (message) =>
        message.type === "call" && message.call.id === call ? message.call : null,
      );
    },
    resolve: (call: CallSnapshot) => call,
  }),
  callTranscript: t.field({
    type: TranscriptTurn,
    description:
      "Each turn of the call's conversation as it is spoken, with the contact's partial transcripts while the recogniser listens.",
    authScopes: { scope: "calls:read" },
    args: { callId: t.arg.globalID({ required: true, for: [Call] }) },
    subscribe: async (_root, args, context) => {
      const call = await ownCall(context, args.callId.id);
      return hub(context, topics.transcript(call), (message) =>
        message.type === "turn" && message.turn.callId === call ? message.turn : null,
      );
    },
    resolve: (turn: SpokenTurn) => turn,
  }),
  activity: t.field({
    type: Activity,
    description: "The organisation's feed: campaigns started, paused, completed or cancelled, leads found.",
    authScopes: { scope: "campaigns:read" },
    subscribe: (_root, _args, context) =>
      hub(context, topics.activity(), (message) => (message.type === "activity" ? message.activity : null)),
    resolve: (item: ActivityItem) => item,
  }),
}));

/** Refused exactly as a query is: another organisation's campaign or call does not exist. */
async function authorised<T>(lookup: Promise<T>): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new GraphQLError(error.message, { extensions: { code: "NOT_FOUND" } });
    }
    throw error;
  }
}

async function ownCall(context: GraphQLContext, callId: string): Promise<string> {
  const [call] = await callsByIds(db(context), orgOf(context), [callId]);
  if (!call) throw new GraphQLError(`Call ${callId} not found`, { extensions: { code: "NOT_FOUND" } });
  return call.id;
}

/** The caller's hub stream for `topic`, keeping only what `pick` recognises. */
async function hub<T>(
  context: GraphQLContext,
  topic: string,
  pick: (message: HubMessage) => T | null,
): Promise<AsyncIterableIterator<T>> {
  const source = await subscribeToHub(context.env, orgOf(context), topic, context.disconnected);
  const picked: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const next = await source.next();
        if (next.done) return { done: true, value: undefined };
        const value = pick(next.value);
        if (value !== null) return { done: false, value };
      }
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => picked,
  };
  return picked;
}

/** `first`, then whatever `rest` yields; return() still reaches `rest` at once. */
function startingWith<T>(first: T, rest: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  let sent = false;
  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (sent) return rest.next();
      sent = true;
      return Promise.resolve({ done: false, value: first });
    },
    return: () => rest.return?.() ?? Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
