import type { Context, MiddlewareHandler } from "hono";
import type { Principal } from "../identity/principal.js";
import type { AppBindings } from "./app-types.js";
import { ApiError } from "./errors.js";
import type { RateLimitDecision } from "./rate-limiter.js";

/** A documented limit: `limit` requests per `windowSeconds`, counted per caller under `name`. */
export type RateLimitRule = { name: string; limit: number; windowSeconds: number };

export class RateLimitedError extends ApiError {
  constructor(readonly decision: RateLimitDecision) {
    super("RATE_LIMITED", 429, "Too many requests");
  }
}

/**
 * Counts the request against the caller's window for `rule` (RateLimiter Durable Object) and answers every
 * response with X-RateLimit-Limit / -Remaining / -Reset (unix seconds). Over the limit it throws
 * RateLimitedError (429, with Retry-After) for the surface to render in its envelope. Should the counter be
 * unreachable, the request goes through: a limiter outage must not take the API down.
 */
export function rateLimit(rule: RateLimitRule): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const decision = await countRequest(c, rule);
    if (decision) {
      setRateLimitHeaders(c, decision);
      if (!decision.allowed) {
        c.header("Retry-After", String(Math.max(1, Math.ceil((decision.resetAt - Date.now()) / 1000))));
        throw new RateLimitedError(decision);
      }
    }
    await next();
    if (decision) setRateLimitHeaders(c, decision);
  };
}

function setRateLimitHeaders(c: Context<AppBindings>, decision: RateLimitDecision): void {
  c.header("X-RateLimit-Limit", String(decision.limit));
  c.header("X-RateLimit-Remaining", String(decision.remaining));
  c.header("X-RateLimit-Reset", String(Math.ceil(decision.resetAt / 1000)));
}

async function countRequest(c: Context<AppBindings>, rule: RateLimitRule): Promise<RateLimitDecision | null> {
  const namespace = c.var.env.RATE_LIMITER;
  const stub = namespace.get(namespace.idFromName(`${rule.name}|${callerKey(c.var.principal, c.req.raw)}`));
  const query = new URLSearchParams({ limit: String(rule.limit), window: String(rule.windowSeconds) });
  try {
    const response = await stub.fetch(`https://rate-limiter/count?${query}`, { method: "POST" });
    if (!response.ok) throw new Error(`rate limiter answered ${response.status}`);
    return (await response.json()) as RateLimitDecision;
  } catch (error) {
    console.error(JSON.stringify({ requestId: c.var.requestId, rateLimiter: String(error) }));
    return null;
  }
}

/** Per principal: the user, else the API key, else the legacy password's organisation; anonymous callers by address. */
export function callerKey(principal: Principal | null, request: Request): string {
  if (principal?.userId && principal.kind === "user") return `user:${principal.userId}`;
  if (principal?.apiKeyId) return `key:${principal.apiKeyId}`;
  if (principal) return `org:${principal.orgId}:${principal.kind}`;
  return `ip:${request.headers.get("cf-connecting-ip") ?? "unknown"}`;
}
