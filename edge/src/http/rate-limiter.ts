import { DurableObject } from "cloudflare:workers";

/** What one counted request learns: whether it may proceed, and the X-RateLimit-* figures. */
export type RateLimitDecision = { allowed: boolean; limit: number; remaining: number; resetAt: number };

type Window = { startsAt: number; endsAt: number; used: number };

/**
 * A fixed-window counter for one key (a principal or client address, per rule). One object per key, so
 * counting is serialised by the runtime and shared by every isolate; the window is stored, so an evicted
 * object resumes its count. An alarm clears the storage once the window is over.
 */
export class RateLimiter extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const limit = Number(url.searchParams.get("limit"));
    const windowSeconds = Number(url.searchParams.get("window"));
    const cost = Number(url.searchParams.get("cost") ?? "1");
    if (!(limit > 0 && windowSeconds > 0 && cost > 0)) return new Response("bad rule", { status: 400 });
    return Response.json(await this.count(limit, windowSeconds * 1000, cost));
  }

  private async count(limit: number, windowMs: number, cost: number): Promise<RateLimitDecision> {
    const now = Date.now();
    const startsAt = now - (now % windowMs);
    const stored = await this.ctx.storage.get<Window>("window");
    const window = stored && stored.startsAt === startsAt ? stored : { startsAt, endsAt: startsAt + windowMs, used: 0 };
    const allowed = window.used + cost <= limit;
    if (allowed) {
      window.used += cost;
      await this.ctx.storage.put("window", window);
      if (window.used === cost) await this.ctx.storage.setAlarm(window.endsAt);
    }
    return { allowed, limit, remaining: Math.max(0, limit - window.used), resetAt: window.endsAt };
  }

  override async alarm(): Promise<void> {
    const window = await this.ctx.storage.get<Window>("window");
    // Each window's first request moves the alarm to its end, so only a finished window is cleared here.
    if (!window || window.endsAt <= Date.now()) await this.ctx.storage.deleteAll();
  }
}
