import type { LiveStats } from "./derive.js";
import type { CampaignInfo } from "./facts.js";

/** MiniBotPanel's documented freshness for live statistics. */
export const LIVE_STATS_TTL_SECONDS = 5;

export type LiveStatsKey = { orgId: string; campaignNumber: number };

/** Where live statistics are kept between requests. */
export type LiveStatsStore = {
  read(key: LiveStatsKey, now: Date): Promise<LiveStats | null>;
  write(key: LiveStatsKey, stats: LiveStats): Promise<void>;
};

/** A synthetic URL per organisation and campaign: the Cache API keys on URLs, and the org keeps tenants apart. */
export function liveStatsCacheUrl({ orgId, campaignNumber }: LiveStatsKey): string {
  return `https://live-stats.switchboard.internal/v1/${encodeURIComponent(orgId)}/${campaignNumber}`;
}

/** Still fresh: computed less than the TTL ago (the cache's own expiry is not relied on). */
export function isFresh(stats: LiveStats, now: Date): boolean {
  const age = now.getTime() - stats.lastUpdate.getTime();
  return age >= 0 && age < LIVE_STATS_TTL_SECONDS * 1000;
}

type SerializedCampaign = Omit<CampaignInfo, "createdAt" | "startedAt" | "completedAt"> & {
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
};
type SerializedLiveStats = Omit<LiveStats, "campaign" | "eta" | "lastUpdate"> & {
  campaign: SerializedCampaign;
  eta: string | null;
  lastUpdate: string;
};

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

/** JSON keeps dates as ISO strings; this puts them back. */
export function reviveLiveStats(serialized: SerializedLiveStats): LiveStats {
  const { campaign } = serialized;
  return {
    ...serialized,
    campaign: {
      ...campaign,
      createdAt: new Date(campaign.createdAt),
      startedAt: dateOrNull(campaign.startedAt),
      completedAt: dateOrNull(campaign.completedAt),
    },
    eta: dateOrNull(serialized.eta),
    lastUpdate: new Date(serialized.lastUpdate),
  };
}

/** The part of the Cache API used here. */
export type ResponseCache = {
  match(url: string): Promise<Response | undefined>;
  put(url: string, response: Response): Promise<void>;
};

/** The Worker runtime's `caches.default` (Node's types declare `caches` without it, or not at all). */
export function defaultCache(): ResponseCache {
  return (globalThis as unknown as { caches: { default: ResponseCache } }).caches.default;
}

/**
 * The Workers Cache API (`caches.default`), shared by every isolate of a data centre, so polling clients
 * on any isolate see the same figures for five seconds. A failing cache never fails the request.
 */
export function workersLiveStatsStore(cache: ResponseCache = defaultCache()): LiveStatsStore {
  return {
    async read(key, now) {
      try {
        const hit = await cache.match(liveStatsCacheUrl(key));
        if (!hit) return null;
        const stats = reviveLiveStats((await hit.json()) as SerializedLiveStats);
        return isFresh(stats, now) ? stats : null;
      } catch (error) {
        console.warn(JSON.stringify({ liveStatsCache: "read failed", error: String(error) }));
        return null;
      }
    },
    async write(key, stats) {
      const response = new Response(JSON.stringify(stats), {
        headers: {
          "content-type": "application/json",
          "cache-control": `public, max-age=${LIVE_STATS_TTL_SECONDS}`,
        },
      });
      try {
        await cache.put(liveStatsCacheUrl(key), response);
      } catch (error) {
        console.warn(JSON.stringify({ liveStatsCache: "write failed", error: String(error) }));
      }
    },
  };
}
