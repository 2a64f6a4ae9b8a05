import type { ImageInput } from "../orders/extract.js";
import type { OrderProgress } from "../orders/progress.js";
import type { Intervention } from "../orders/service.js";
import type { ChatIntent } from "./intents.js";
import type { ChatLanguage } from "./language.js";
import type { ChatChannel } from "./sessions.js";
import type { TicketSummary } from "./tools.js";

/** Which agent answers: Botlive's order bot or the customer-service bot. */
export type ChatAgentKind = "orders" | "support";

export type ChatTurnInput = {
  orgId: string;
  agent: ChatAgentKind;
  channel: ChatChannel;
  /** Botlive's user_id, Meuble's session_id. */
  sessionKey: string;
  /** The signed-in user, when the caller is one (Meuble's history is per user). */
  userId: string | null;
  customerName?: string | null;
  message: string;
  images?: ImageInput[];
  /** The language the client asked for; otherwise detected from the message. */
  language?: string | null;
  requestId: string;
};

/** The engine's answer to one message; `mode` says which engine wrote it (rules:v1, or llm:<model>). */
export type ChatTurnResult = {
  conversationId: string;
  reply: string;
  intent: ChatIntent | string;
  confidence: number;
  language: ChatLanguage;
  mode: string;
  order: OrderProgress | null;
  interventions: Intervention[];
  ticket: TicketSummary | null;
  /** Webhook events were queued: the caller schedules their delivery after the response. */
  webhookEvents: boolean;
  durationMs: number;
};
