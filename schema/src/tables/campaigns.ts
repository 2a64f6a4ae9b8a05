import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, numeric, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { campaignSource, campaignStatus } from "../enums.js";
import { agents } from "./agents.js";
import { accounts } from "./billing.js";
import { at, createdAt, id, objectIdDefault, orgId, updatedAt } from "./columns.js";

/**
 * One table for every kind of campaign: MiniBotPanel campaigns (integer `number`),
 * SpeechAI batches (`batch_code` and 24-hex `object_id`) and VoiceERA campaigns (the uuid `id`).
 */
export const campaigns = pgTable(
  "campaigns",
  {
    id: id(),
    orgId: orgId(),
    number: bigint("number", { mode: "number" }).notNull().generatedByDefaultAsIdentity().unique(),
    batchCode: text("batch_code").unique(),
    objectId: text("object_id").notNull().unique().default(objectIdDefault),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "restrict" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "restrict" }),
    source: campaignSource("source").notNull().default("graphql"),
    name: text("name").notNull(),
    description: text("description"),
    status: campaignStatus("status").notNull().default("pending"),
    maxConcurrentCalls: integer("max_concurrent_calls").notNull().default(5),
    batchSize: integer("batch_size").notNull().default(10),
    retryEnabled: boolean("retry_enabled").notNull().default(true),
    maxRetries: integer("max_retries").notNull().default(2),
    retryNoAnswerDelaySeconds: integer("retry_no_answer_delay_seconds").notNull().default(1800),
    retryBusyDelaySeconds: integer("retry_busy_delay_seconds").notNull().default(300),
    /** Caller ids presented on outbound calls (VoiceERA's phone_numbers). */
    callerNumbers: text("caller_numbers").array().notNull().default(sql`'{}'::text[]`),
    /** Calls are only placed between these instants, when set. */
    windowStartsAt: at("window_starts_at"),
    windowEndsAt: at("window_ends_at"),
    priority: integer("priority").notNull().default(1),
    useCase: text("use_case"),
    estimatedCost: numeric("estimated_cost", { precision: 14, scale: 4, mode: "number" }).notNull().default(0),
    /** Surface-specific options kept verbatim (allow_duplicates, processing_type, offer, …). */
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    cancelReason: text("cancel_reason"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: at("started_at"),
    pausedAt: at("paused_at"),
    completedAt: at("completed_at"),
    /** Deleted with its calls kept (SpeechAI's delete without delete_jobs): gone from every list, calls stay. */
    deletedAt: at("deleted_at"),
  },
  (t) => [
    index("campaigns_org_status_idx").on(t.orgId, t.status, t.createdAt),
    index("campaigns_org_created_idx").on(t.orgId, t.createdAt, t.id),
    index("campaigns_org_account_idx").on(t.orgId, t.accountId),
  ],
);
