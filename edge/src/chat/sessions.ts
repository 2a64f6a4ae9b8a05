import { conversations, messages } from "@switchboard/schema";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Database, Transaction } from "../db/client.js";

/**
 * Chat sessions and their history, per organisation: one conversation per (channel, session key), the key being
 * Botlive's user_id or Meuble's session_id; a signed-in user's conversations also carry their user id.
 */

type Db = Database | Transaction;
export type Conversation = typeof conversations.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type ChatChannel = Conversation["channel"];

export type SessionRef = { orgId: string; channel: ChatChannel; sessionKey: string; userId: string | null };

/** The session's conversation, created on first use. */
export async function openConversation(db: Db, ref: SessionRef): Promise<Conversation> {
  const [conversation] = await db
    .insert(conversations)
    .values({ orgId: ref.orgId, channel: ref.channel, sessionKey: ref.sessionKey, userId: ref.userId })
    .onConflictDoUpdate({
      target: [conversations.orgId, conversations.channel, conversations.sessionKey],
      // A no-op update so the existing row comes back.
      set: { sessionKey: sql`excluded.session_key` },
    })
    .returning();
  if (!conversation) throw new Error("conversation upsert returned nothing");
  return conversation;
}

export async function findConversation(db: Db, orgId: string, conversationId: string): Promise<Conversation | null> {
  const [conversation] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.orgId, orgId), eq(conversations.id, conversationId)));
  return conversation ?? null;
}

export type NewMessage = {
  role: Message["role"];
  content: string;
  intent?: string | null;
  confidence?: number | null;
  attachments?: string[];
  latencyMs?: number | null;
  requestId?: string | null;
};

/** Appends the turn's messages and touches the conversation (language, engine state, last message time). */
export async function recordTurn(
  tx: Db,
  conversation: Conversation,
  turn: { messages: NewMessage[]; language: string; state: Record<string, unknown> },
): Promise<void> {
  if (turn.messages.length > 0) {
    await tx.insert(messages).values(
      turn.messages.map((message) => ({
        orgId: conversation.orgId,
        conversationId: conversation.id,
        role: message.role,
        content: message.content,
        intent: message.intent ?? null,
        confidence: message.confidence ?? null,
        attachments: message.attachments ?? [],
        latencyMs: message.latencyMs ?? null,
        requestId: message.requestId ?? null,
      })),
    );
  }
  await tx
    .update(conversations)
    .set({ language: turn.language, state: turn.state, lastMessageAt: new Date() })
    .where(and(eq(conversations.orgId, conversation.orgId), eq(conversations.id, conversation.id)));
}

/** The last `limit` messages of a conversation, oldest first: the context a model sees. */
export async function recentMessages(db: Db, orgId: string, conversationId: string, limit: number): Promise<Message[]> {
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.orgId, orgId), eq(messages.conversationId, conversationId)))
    // A turn's two messages share the transaction's timestamp; the role enum orders user before assistant.
    .orderBy(desc(messages.createdAt), desc(messages.role))
    .limit(limit);
  return rows.reverse();
}

export type HistoryEntry = Message & { sessionKey: string };

/** A user's (or, without one, the organisation's) messages on a channel, newest first, paged. */
export async function messageHistory(
  db: Db,
  filter: { orgId: string; channel?: ChatChannel; userId?: string | null; sessionKey?: string },
  page: { limit: number; offset: number },
): Promise<{ entries: HistoryEntry[]; total: number }> {
  const where = and(
    eq(messages.orgId, filter.orgId),
    eq(conversations.orgId, filter.orgId),
    filter.channel ? eq(conversations.channel, filter.channel) : undefined,
    filter.userId ? eq(conversations.userId, filter.userId) : undefined,
    filter.sessionKey ? eq(conversations.sessionKey, filter.sessionKey) : undefined,
  );
  const rows = await db
    .select({ message: messages, sessionKey: conversations.sessionKey })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(where)
    // Newest first: within a turn (one timestamp), the reply before the user's message (enum order user, assistant).
    .orderBy(desc(messages.createdAt), desc(messages.role))
    .limit(page.limit)
    .offset(page.offset);
  const [count] = await db
    .select({ total: sql<number>`count(*)::int` })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(where);
  return { entries: rows.map((row) => ({ ...row.message, sessionKey: row.sessionKey })), total: count?.total ?? 0 };
}

/** Holds the conversation's row until the transaction ends: one customer's turns apply one after another. */
export async function lockConversation(tx: Transaction, conversation: Conversation): Promise<void> {
  await tx.execute(
    sql`select id from ${conversations} where org_id = ${conversation.orgId} and id = ${conversation.id} for update`,
  );
}

/** Forgets a session's engine state (Botlive's admin reset); the history stays. */
export async function resetConversationState(tx: Db, ref: SessionRef): Promise<void> {
  await tx
    .update(conversations)
    .set({ state: {} })
    .where(
      and(
        eq(conversations.orgId, ref.orgId),
        eq(conversations.channel, ref.channel),
        eq(conversations.sessionKey, ref.sessionKey),
      ),
    );
}

/** The organisation's conversations, most recently active first. */
export async function listConversations(
  db: Db,
  orgId: string,
  filter: { channel?: ChatChannel; sessionKey?: string; limit: number },
): Promise<Conversation[]> {
  return db
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.orgId, orgId),
        filter.channel ? eq(conversations.channel, filter.channel) : undefined,
        filter.sessionKey ? eq(conversations.sessionKey, filter.sessionKey) : undefined,
      ),
    )
    .orderBy(sql`${conversations.lastMessageAt} desc nulls last`, desc(conversations.createdAt))
    .limit(filter.limit);
}
