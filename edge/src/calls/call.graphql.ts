import { amdResult, type CallResult, type CallStatus, callResult, callStatus, sentiment } from "@switchboard/schema";
import { Contact } from "../contacts/contact.graphql.js";
import { builder } from "../graphql/builder.js";
import { db, orgOf } from "../graphql/context.js";
import { numberConnection } from "../graphql/pagination.js";
import { type CallTurnText, turnsOfCalls } from "./call-logs.js";
import { type CallRow, callsByIds, listCalls } from "./service.js";

export const CallStatusEnum = builder.enumType("CallStatus", { values: callStatus.enumValues });
export const CallResultEnum = builder.enumType("CallResult", { values: callResult.enumValues });
export const AmdResultEnum = builder.enumType("AmdResult", { values: amdResult.enumValues });
const SentimentEnum = builder.enumType("Sentiment", { values: sentiment.enumValues });
const DirectionEnum = builder.enumType("CallDirection", { values: ["outbound", "inbound"] as const });
export const SpeakerEnum = builder.enumType("Speaker", { values: ["agent", "contact", "system"] as const });

const TranscriptLine = builder.objectRef<CallTurnText>("TranscriptLine").implement({
  description: "One stored turn of a call's conversation.",
  fields: (t) => ({
    speaker: t.field({ type: SpeakerEnum, resolve: (turn) => turn.speaker }),
    text: t.exposeString("text"),
  }),
});

export const Call = builder.loadableNode("Call", {
  id: { resolve: (call: CallRow) => call.id },
  load: (ids: string[], context) => callsByIds(db(context), orgOf(context), ids),
  sort: (call) => call.id,
  authScopes: { scope: "calls:read" },
  fields: (t) => ({
    number: t.exposeInt("number", { description: "Integer id used by MiniBotPanel clients." }),
    direction: t.field({ type: DirectionEnum, resolve: (call) => call.direction }),
    fromNumber: t.exposeString("fromNumber", { nullable: true }),
    toNumber: t.exposeString("toNumber"),
    status: t.field({ type: CallStatusEnum, resolve: (call) => call.status }),
    result: t.field({ type: CallResultEnum, nullable: true, resolve: (call) => call.result }),
    amdResult: t.field({ type: AmdResultEnum, nullable: true, resolve: (call) => call.amdResult }),
    sentiment: t.field({ type: SentimentEnum, nullable: true, resolve: (call) => call.sentiment }),
    confidence: t.exposeFloat("confidence", { nullable: true }),
    summary: t.exposeString("summary", { nullable: true }),
    emotions: t.exposeStringList("emotions"),
    keyPhrases: t.exposeStringList("keyPhrases"),
    transcript: t.loadableList({
      type: TranscriptLine,
      description: "The stored turns in spoken order; empty before the call is answered.",
      resolve: (call) => call.id,
      load: async (ids: string[], context) => {
        const byCall = await turnsOfCalls(db(context), orgOf(context), ids);
        return ids.map((id) => byCall.get(id) ?? []);
      },
    }),
    attempts: t.exposeInt("attempts"),
    maxAttempts: t.exposeInt("maxAttempts"),
    durationMs: t.exposeInt("durationMs", { nullable: true }),
    cost: t.exposeFloat("cost", { nullable: true }),
    hangupCause: t.exposeString("hangupCause", { nullable: true }),
    contact: t.field({
      type: Contact,
      nullable: true,
      resolve: (call) => call.contactId,
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    answeredAt: t.expose("answeredAt", { type: "DateTime", nullable: true }),
    endedAt: t.expose("endedAt", { type: "DateTime", nullable: true }),
  }),
});

export const CallFilter = builder.inputType("CallFilter", {
  fields: (t) => ({ status: t.field({ type: CallStatusEnum }), result: t.field({ type: CallResultEnum }) }),
});

/** The domain filter from the GraphQL one, dropping nulls. */
export function callFilterFrom(filter: { status?: CallStatus | null; result?: CallResult | null } | null | undefined) {
  return {
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.result ? { result: filter.result } : {}),
  };
}

builder.queryFields((t) => ({
  calls: t.connection({
    type: Call,
    authScopes: { scope: "calls:read" },
    args: { filter: t.arg({ type: CallFilter }) },
    resolve: (_root, args, context) =>
      numberConnection(args, (page) => listCalls(db(context), orgOf(context), callFilterFrom(args.filter), page)),
  }),
}));
