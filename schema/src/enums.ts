import { pgEnum } from "drizzle-orm/pg-core";

/** Domain enums shared by the edge, the media node and every surface. */
export const userRole = pgEnum("user_role", ["owner", "admin", "member"]);

export const agentKind = pgEnum("agent_kind", ["voice", "chat"]);
export const agentMode = pgEnum("agent_mode", ["scenario", "llm"]);
export const agentStatus = pgEnum("agent_status", ["active", "inactive"]);

/** credit_based: credits (setup + per minute); minutes: a balance of minutes; unlimited: never reserves or blocks. */
export const planType = pgEnum("plan_type", ["credit_based", "unlimited", "minutes"]);
export const accountStatus = pgEnum("account_status", ["active", "suspended"]);
export const creditTransactionType = pgEnum("credit_transaction_type", [
  "topup_credits",
  "reservation",
  "release",
  "charge",
  "adjustment",
  "refund",
]);

/** Canonical campaign lifecycle; each legacy surface maps its own words onto it. */
export const campaignStatus = pgEnum("campaign_status", ["pending", "running", "paused", "completed", "cancelled"]);
export const campaignSource = pgEnum("campaign_source", ["graphql", "minibotpanel", "speechai", "voiceera"]);

export const callDirection = pgEnum("call_direction", ["outbound", "inbound"]);
export const callStatus = pgEnum("call_status", [
  "pending",
  "scheduled",
  "calling",
  "ringing",
  "in_progress",
  "completed",
  "failed",
  "cancelled",
  "no_answer",
  "busy",
  "suspended",
]);
export const callResult = pgEnum("call_result", [
  "lead",
  "not_interested",
  "callback",
  "no_answer",
  "failed",
  "wrong_number",
  "answering_machine",
]);
export const amdResult = pgEnum("amd_result", ["human", "machine", "unknown"]);
export const sentiment = pgEnum("sentiment", ["positive", "neutral", "negative"]);
export const turnSpeaker = pgEnum("turn_speaker", ["agent", "contact", "system"]);

export const conversationChannel = pgEnum("conversation_channel", ["web", "api", "whatsapp", "voice"]);
export const messageRole = pgEnum("message_role", ["user", "assistant", "system", "tool"]);

export const ticketStatus = pgEnum("ticket_status", ["open", "in_progress", "waiting_customer", "resolved", "closed"]);
export const ticketPriority = pgEnum("ticket_priority", ["P0", "P1", "P2", "P3"]);

export const orderStatus = pgEnum("order_status", ["in_progress", "completed", "cancelled"]);
export const paymentStatus = pgEnum("payment_status", ["none", "insufficient", "validated"]);
export const interventionType = pgEnum("intervention_type", [
  "human_requested",
  "frustration",
  "payment_issue",
  "stuck_order",
]);
export const interventionStatus = pgEnum("intervention_status", ["open", "resolved"]);

/** `failed` is unused (kept for the migrated enum); `dead_letter`: retries exhausted, waits for a replay. */
export const deliveryStatus = pgEnum("delivery_status", ["pending", "delivered", "failed", "dead_letter"]);

export type CampaignStatus = (typeof campaignStatus.enumValues)[number];
export type CallStatus = (typeof callStatus.enumValues)[number];
export type CallResult = (typeof callResult.enumValues)[number];
export type PlanType = (typeof planType.enumValues)[number];
export type CreditTransactionType = (typeof creditTransactionType.enumValues)[number];
export type AgentKind = (typeof agentKind.enumValues)[number];
export type AgentMode = (typeof agentMode.enumValues)[number];
