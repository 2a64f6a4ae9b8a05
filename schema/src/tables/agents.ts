import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, real, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { agentKind, agentMode, agentStatus } from "../enums.js";
import { createdAt, id, orgId, updatedAt } from "./columns.js";
import { users } from "./identity.js";

/** A scenario document: named steps, each with a message and intent → next-step mapping. */
export type ScenarioDocument = {
  name: string;
  steps: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
};

export const agents = pgTable(
  "agents",
  {
    id: id(),
    orgId: orgId(),
    /** Stable name used by legacy clients, e.g. MiniBotPanel's `scenario` field. */
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    kind: agentKind("kind").notNull(),
    mode: agentMode("mode").notNull(),
    status: agentStatus("status").notNull().default("active"),
    language: text("language").notNull().default("fr"),
    scenario: jsonb("scenario").$type<ScenarioDocument>(),
    llmProvider: text("llm_provider"),
    llmModel: text("llm_model"),
    systemPrompt: text("system_prompt"),
    temperature: real("temperature"),
    tools: jsonb("tools").$type<unknown[]>(),
    sttProvider: text("stt_provider"),
    ttsProvider: text("tts_provider"),
    voiceParameters: jsonb("voice_parameters").$type<Record<string, unknown>>(),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("agents_org_slug_key").on(t.orgId, t.slug),
    index("agents_org_created_idx").on(t.orgId, t.createdAt),
    check(
      "agents_mode_config_check",
      sql`(${t.mode} = 'scenario' and ${t.scenario} is not null) or (${t.mode} = 'llm' and ${t.llmModel} is not null)`,
    ),
  ],
);
