import type { CallRow } from "../calls/service.js";
import type { LiveStats } from "../stats/service.js";

/**
 * What the edge publishes to an organisation's EventHub once a transaction has committed. Every event is
 * small and self-contained: subscribers never go back to the database for it.
 */

/** A call's line state right after one report was applied (read inside that report's transaction). */
export type CallSnapshot = Pick<
  CallRow,
  "id" | "campaignId" | "status" | "result" | "amdResult" | "durationMs" | "attempts" | "hangupCause"
>;

/** One turn of a conversation, as spoken; or, not final, what the recogniser has heard of it so far. */
export type SpokenTurn = {
  callId: string;
  campaignId: string | null;
  sequence: number;
  speaker: "agent" | "contact" | "system";
  text: string;
  intent: string | null;
  spokenAt: string;
  final: boolean;
};

export const ACTIVITY_KINDS = [
  "campaign_started",
  "campaign_paused",
  "campaign_resumed",
  "campaign_completed",
  "campaign_cancelled",
  "lead_found",
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export type ActivityItem = {
  kind: ActivityKind;
  campaignId: string | null;
  callId: string | null;
  occurredAt: string;
};

/** A piece of a chat reply as the engine writes it; the last one (`done`) carries the whole reply. */
export type ChatToken = {
  conversationId: string;
  requestId: string;
  sequence: number;
  content: string;
  done: boolean;
};

export type LiveEvent =
  | { type: "chat_token"; token: ChatToken }
  | { type: "call"; call: CallSnapshot }
  | { type: "turn"; turn: SpokenTurn }
  | { type: "activity"; activity: ActivityItem }
  /** A campaign's figures changed; the hub recomputes them (coalesced) for campaignProgress subscribers. */
  | { type: "progress"; campaignId: string };

export const activity = (kind: ActivityKind, ids: { campaignId?: string | null; callId?: string | null }) =>
  ({
    type: "activity",
    activity: {
      kind,
      campaignId: ids.campaignId ?? null,
      callId: ids.callId ?? null,
      occurredAt: new Date().toISOString(),
    },
  }) satisfies LiveEvent;

/** What a hub sends its subscribers: events as published, except progress nudges, which become the figures. */
export type HubMessage = Exclude<LiveEvent, { type: "progress" }> | { type: "progress_stats"; stats: LiveStats };
/** A line of a hub stream: the organisation travels with each message, and subscribers check it. */
export type HubEnvelope = { orgId: string; message: HubMessage };
