import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, numeric, pgTable, real, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { amdResult, callDirection, callResult, callStatus, sentiment, turnSpeaker } from "../enums.js";
import { agents } from "./agents.js";
import { accounts } from "./billing.js";
import { campaigns } from "./campaigns.js";
import { at, createdAt, id, objectIdDefault, orgId, updatedAt } from "./columns.js";
import { contacts } from "./contacts.js";

/**
 * One call to (or from) one contact: a MiniBotPanel call, a SpeechAI job, a VoiceERA call log.
 * Each dial of it is a row in call_attempts.
 */
export const calls = pgTable(
  "calls",
  {
    id: id(),
    orgId: orgId(),
    number: bigint("number", { mode: "number" }).notNull().generatedByDefaultAsIdentity().unique(),
    /** SpeechAI's `job-…` id and 24-hex object id. */
    jobCode: text("job_code").unique(),
    objectId: text("object_id").notNull().unique().default(objectIdDefault),
    campaignId: uuid("campaign_id").references(() => campaigns.id, { onDelete: "cascade" }),
    contactId: uuid("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    agentId: uuid("agent_id").references(() => agents.id, { onDelete: "set null" }),
    accountId: uuid("account_id").references(() => accounts.id, { onDelete: "set null" }),
    direction: callDirection("direction").notNull().default("outbound"),
    fromNumber: text("from_number"),
    toNumber: text("to_number").notNull(),
    status: callStatus("status").notNull().default("pending"),
    result: callResult("result"),
    amdResult: amdResult("amd_result"),
    sentiment: sentiment("sentiment"),
    confidence: real("confidence"),
    emotions: text("emotions").array().notNull().default(sql`'{}'::text[]`),
    keyPhrases: text("key_phrases").array().notNull().default(sql`'{}'::text[]`),
    summary: text("summary"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(3),
    nextAttemptAt: at("next_attempt_at"),
    /** Index into [contact.phone, ...contact.alternatePhones] for the next dial. */
    nextPhoneIndex: integer("next_phone_index").notNull().default(0),
    durationMs: integer("duration_ms"),
    billableSeconds: integer("billable_seconds"),
    cost: numeric("cost", { precision: 14, scale: 4, mode: "number" }),
    estimatedCost: numeric("estimated_cost", { precision: 14, scale: 4, mode: "number" }),
    reservedCredit: numeric("reserved_credit", { precision: 14, scale: 4, mode: "number" }).notNull().default(0),
    recordingKey: text("recording_key"),
    jambonzCallSid: text("jambonz_call_sid"),
    hangupCause: text("hangup_cause"),
    /** Per-turn latency figures (ASR, LLM first token, TTS first byte). */
    latency: jsonb("latency").$type<Record<string, number>>(),
    /** Business data carried to the agent (debt amount, due date, offer…). */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: at("started_at"),
    answeredAt: at("answered_at"),
    endedAt: at("ended_at"),
  },
  (t) => [
    // Leading columns serve a campaign's calls by status; the rest let campaign statistics read the index alone.
    index("calls_org_campaign_stats_idx").on(
      t.orgId,
      t.campaignId,
      t.status,
      t.result,
      t.sentiment,
      t.amdResult,
      t.durationMs,
    ),
    index("calls_org_created_idx").on(t.orgId, t.createdAt, t.id),
    index("calls_org_contact_idx").on(t.orgId, t.contactId),
    index("calls_org_due_idx")
      .on(t.orgId, t.campaignId, t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'scheduled')`),
    uniqueIndex("calls_jambonz_call_sid_key").on(t.jambonzCallSid),
  ],
);

export const callAttempts = pgTable(
  "call_attempts",
  {
    id: id(),
    orgId: orgId(),
    callId: uuid("call_id")
      .notNull()
      .references(() => calls.id, { onDelete: "cascade" }),
    attemptNumber: integer("attempt_number").notNull(),
    toNumber: text("to_number").notNull(),
    jambonzCallSid: text("jambonz_call_sid"),
    status: callStatus("status").notNull().default("calling"),
    amdResult: amdResult("amd_result"),
    hangupCause: text("hangup_cause"),
    durationMs: integer("duration_ms"),
    cost: numeric("cost", { precision: 14, scale: 4, mode: "number" }),
    startedAt: at("started_at").notNull().defaultNow(),
    answeredAt: at("answered_at"),
    endedAt: at("ended_at"),
  },
  (t) => [
    uniqueIndex("call_attempts_call_number_key").on(t.callId, t.attemptNumber),
    index("call_attempts_org_call_idx").on(t.orgId, t.callId),
  ],
);

/** The transcript: one row per spoken turn. */
export const callTurns = pgTable(
  "call_turns",
  {
    id: id(),
    orgId: orgId(),
    callId: uuid("call_id")
      .notNull()
      .references(() => calls.id, { onDelete: "cascade" }),
    sequence: integer("sequence").notNull(),
    speaker: turnSpeaker("speaker").notNull(),
    text: text("text").notNull(),
    intent: text("intent"),
    confidence: real("confidence"),
    latencyMs: integer("latency_ms"),
    spokenAt: at("spoken_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("call_turns_call_sequence_key").on(t.callId, t.sequence),
    index("call_turns_org_call_idx").on(t.orgId, t.callId),
  ],
);

/** Idempotent log of what the media node reported; a replayed key is ignored. */
export const callEvents = pgTable(
  "call_events",
  {
    id: id(),
    orgId: orgId(),
    callId: uuid("call_id")
      .notNull()
      .references(() => calls.id, { onDelete: "cascade" }),
    idempotencyKey: text("idempotency_key").notNull(),
    type: text("type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: at("occurred_at").notNull(),
    receivedAt: createdAt(),
  },
  (t) => [
    uniqueIndex("call_events_org_idempotency_key").on(t.orgId, t.idempotencyKey),
    index("call_events_org_call_idx").on(t.orgId, t.callId, t.occurredAt),
  ],
);
