import { index, integer, jsonb, pgTable, real, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { conversationChannel, messageRole } from "../enums.js";
import { agents } from "./agents.js";
import { at, createdAt, id, orgId, updatedAt } from "./columns.js";
import { contacts } from "./contacts.js";
import { users } from "./identity.js";

export const conversations = pgTable(
  "conversations",
  {
    id: id(),
    orgId: orgId(),
    agentId: uuid("agent_id").references(() => agents.id, { onDelete: "set null" }),
    channel: conversationChannel("channel").notNull(),
    /** The client's session key: Meuble's session_id, Botlive's user_id. */
    sessionKey: text("session_key").notNull(),
    contactId: uuid("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    language: text("language"),
    /** The engine's state: current scenario step, filled slots. */
    state: jsonb("state").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastMessageAt: at("last_message_at"),
  },
  (t) => [
    uniqueIndex("conversations_org_channel_session_key").on(t.orgId, t.channel, t.sessionKey),
    index("conversations_org_last_message_idx").on(t.orgId, t.lastMessageAt),
  ],
);

export const messages = pgTable(
  "messages",
  {
    id: id(),
    orgId: orgId(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    role: messageRole("role").notNull(),
    content: text("content").notNull(),
    intent: text("intent"),
    confidence: real("confidence"),
    attachments: jsonb("attachments").$type<string[]>().notNull().default([]),
    latencyMs: integer("latency_ms"),
    requestId: text("request_id"),
    createdAt: createdAt(),
  },
  (t) => [index("messages_org_conversation_idx").on(t.orgId, t.conversationId, t.createdAt)],
);
