import type { CallStatus, CampaignStatus } from "@switchboard/schema";

/** `2024-01-29T10:30:00Z`: UTC to the second, as the document prints it. */
export function voiceEraTimestamp(date: Date): string;
export function voiceEraTimestamp(date: Date | null): string | null;
export function voiceEraTimestamp(date: Date | null): string | null {
  return date ? `${date.toISOString().slice(0, 19)}Z` : null;
}

export const VOICEERA_CAMPAIGN_STATUSES = ["draft", "active", "paused", "completed", "cancelled"] as const;
export type VoiceEraCampaignStatus = (typeof VOICEERA_CAMPAIGN_STATUSES)[number];

/** VoiceERA's campaign words: a campaign is a draft until launched, then active. */
const CAMPAIGN_STATUS: Record<CampaignStatus, VoiceEraCampaignStatus> = {
  pending: "draft",
  running: "active",
  paused: "paused",
  completed: "completed",
  cancelled: "cancelled",
};

export function campaignStatusWord(status: CampaignStatus): VoiceEraCampaignStatus {
  return CAMPAIGN_STATUS[status];
}

export function campaignStatusOf(word: VoiceEraCampaignStatus): CampaignStatus {
  const entry = Object.entries(CAMPAIGN_STATUS).find(([, value]) => value === word);
  return (entry?.[0] ?? "pending") as CampaignStatus;
}

/** A call on the line (dialling, ringing or talking) is `in_progress`; other statuses keep their name. */
export function callStatusWord(status: CallStatus): string {
  return status === "calling" || status === "ringing" ? "in_progress" : status;
}

/** `User: Hello... Agent: Hi...`: the caller is the user. */
const SPEAKER: Record<"agent" | "contact" | "system", string> = { agent: "Agent", contact: "User", system: "System" };

export function transcriptOf(turns: ReadonlyArray<{ speaker: "agent" | "contact" | "system"; text: string }>): string {
  return turns.map((turn) => `${SPEAKER[turn.speaker]}: ${turn.text.replace(/\s+/g, " ").trim()}`).join(" ");
}

export function seconds(durationMs: number | null): number {
  return durationMs === null ? 0 : Math.round(durationMs / 1000);
}
