import type { AppEnv } from "../env.js";
import type { HubEnvelope, HubMessage } from "./events.js";
import { hubFor } from "./publish.js";

/**
 * Opens a subscription to one topic of the organisation's hub and returns it as the AsyncIterator a GraphQL
 * subscription resolver hands to Yoga. The hub's stream is open before this resolves, so nothing published
 * afterwards is missed. Messages for another organisation are dropped (the hub is per organisation already).
 * return() (the subscription ended) and `disconnected` (the client went away) cancel the hub stream at once, even
 * while a read is pending, so the hub drops the subscriber promptly; an async generator would wait for the next
 * event first.
 */
export async function subscribeToHub(
  env: AppEnv,
  orgId: string,
  topic: string,
  disconnected: AbortSignal,
): Promise<AsyncIterableIterator<HubMessage>> {
  const hub = hubFor(env, orgId, topic);
  const id = crypto.randomUUID();
  const response = await hub.fetch(`https://event-hub/subscribe?topic=${encodeURIComponent(topic)}&id=${id}`);
  if (!response.ok || !response.body) throw new Error(`event hub refused the subscription: ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const lines: string[] = [];
  let buffered = "";
  let finished = false;

  const close = async (): Promise<IteratorResult<HubMessage>> => {
    if (!finished) {
      finished = true;
      // The hub learns of a cancelled body only at its next write: tell it outright.
      await Promise.all([
        reader.cancel().catch(() => {}),
        hub.fetch(`https://event-hub/unsubscribe?id=${id}`, { method: "POST" }).catch((error) => {
          console.error(JSON.stringify({ eventHub: orgId, unsubscribe: "failed", error: String(error) }));
        }),
      ]);
    }
    return { done: true, value: undefined };
  };

  disconnected.addEventListener("abort", () => void close(), { once: true });
  const iterator: AsyncIterableIterator<HubMessage> = {
    async next() {
      while (!finished) {
        const line = lines.shift();
        // Empty lines are the hub's heartbeats.
        if (line !== undefined) {
          if (!line.trim()) continue;
          const envelope = JSON.parse(line) as HubEnvelope;
          if (envelope.orgId === orgId) return { done: false, value: envelope.message };
          continue;
        }
        const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (chunk.done) return close();
        const parts = (buffered + decoder.decode(chunk.value, { stream: true })).split("\n");
        buffered = parts.pop() ?? "";
        lines.push(...parts);
      }
      return { done: true, value: undefined };
    },
    return: close,
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
