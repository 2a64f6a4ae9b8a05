import type { LiveEvent } from "./events.js";

/**
 * Topics name what a subscription listens to; each subscription listens to exactly one. The hub for a topic is
 * `org:<orgId>` while HUB_SHARDS is 1; raising it spreads an organisation's topics over `org:<orgId>:<n>` by a
 * hash of the topic, so one busy organisation can outgrow one Durable Object without changing anything else.
 */
export const HUB_SHARDS = 1;

export const topics = {
  campaignCalls: (campaignId: string) => `calls:campaign:${campaignId}`,
  call: (callId: string) => `calls:call:${callId}`,
  transcript: (callId: string) => `transcript:${callId}`,
  progress: (campaignId: string) => `progress:${campaignId}`,
  activity: () => "activity",
  chatReply: (conversationId: string) => `chat:${conversationId}`,
};

/** Where an event goes: every topic whose subscribers should see it. */
export function topicsOf(event: LiveEvent): string[] {
  switch (event.type) {
    case "call":
      return [
        ...(event.call.campaignId ? [topics.campaignCalls(event.call.campaignId)] : []),
        topics.call(event.call.id),
      ];
    case "turn":
      return [topics.transcript(event.turn.callId)];
    case "activity":
      return [topics.activity()];
    case "progress":
      return [topics.progress(event.campaignId)];
    case "chat_token":
      return [topics.chatReply(event.token.conversationId)];
  }
}

/** The Durable Object name of the hub serving `topic` for `orgId`. */
export function hubName(orgId: string, topic: string, shards = HUB_SHARDS): string {
  if (shards <= 1) return `org:${orgId}`;
  return `org:${orgId}:${fnv1a(topic) % shards}`;
}

/** Every hub name of the organisation (one per shard). */
export function hubNames(orgId: string, shards = HUB_SHARDS): string[] {
  if (shards <= 1) return [`org:${orgId}`];
  return Array.from({ length: shards }, (_, shard) => `org:${orgId}:${shard}`);
}

/** A small, stable string hash (FNV-1a, 32 bits): the same topic always lands on the same shard. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
