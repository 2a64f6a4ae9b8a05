import type { AppEnv } from "../env.js";
import type { LiveEvent } from "./events.js";
import { hubName, hubNames, topicsOf } from "./topics.js";

/** One event for one topic, as the hub receives it. */
export type Delivery = { topic: string; event: LiveEvent };
export type PublishBody = { orgId: string; deliveries: Delivery[] };

/** The EventHub stub serving `topic` for the organisation. */
export function hubFor(env: AppEnv, orgId: string, topic: string) {
  return env.EVENT_HUB.get(env.EVENT_HUB.idFromName(hubName(orgId, topic)));
}

/**
 * Sends events to the organisation's hub(s). Call it only after the transaction that made the change has
 * committed. Never throws: a live feed that misses an event must not fail the request that made it.
 */
export async function publishLive(env: AppEnv, orgId: string, events: readonly LiveEvent[]): Promise<void> {
  const byHub = new Map<string, { topic: string; deliveries: Delivery[] }>();
  for (const event of events) {
    for (const topic of topicsOf(event)) {
      const name = hubName(orgId, topic);
      const batch = byHub.get(name) ?? { topic, deliveries: [] };
      batch.deliveries.push({ topic, event });
      byHub.set(name, batch);
    }
  }
  await Promise.all(
    [...byHub.values()].map(async ({ topic, deliveries }) => {
      try {
        const body: PublishBody = { orgId, deliveries };
        const response = await hubFor(env, orgId, topic).fetch("https://event-hub/publish", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        if (!response.ok) throw new Error(`hub answered ${response.status}`);
      } catch (error) {
        console.error(JSON.stringify({ eventHub: orgId, publish: "failed", error: String(error) }));
      }
    }),
  );
}

/** publishLive bound to a request's waitUntil: the response never waits for the hub. */
export function livePublisher(env: AppEnv, waitUntil: (work: Promise<unknown>) => void) {
  return (orgId: string, events: readonly LiveEvent[]) => {
    if (events.length > 0) waitUntil(publishLive(env, orgId, events));
  };
}
export type LivePublisher = ReturnType<typeof livePublisher>;

/** Open subscriptions across the organisation's hubs, per topic: for metrics and disconnect tests. */
export async function hubStats(
  env: AppEnv,
  orgId: string,
): Promise<{ subscribers: number; topics: Record<string, number> }> {
  const total = { subscribers: 0, topics: {} as Record<string, number> };
  for (const name of hubNames(orgId)) {
    const response = await env.EVENT_HUB.get(env.EVENT_HUB.idFromName(name)).fetch("https://event-hub/stats");
    const stats = (await response.json()) as typeof total;
    total.subscribers += stats.subscribers;
    Object.assign(total.topics, stats.topics);
  }
  return total;
}
