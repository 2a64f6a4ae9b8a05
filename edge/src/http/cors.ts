import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppBindings } from "./app-types.js";

/** MiniBotPanel's documented CORS: these methods, every request header, origins from API_CORS_ORIGINS. */
export const CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** `"https://a.example, https://b.example/"` → the origins as browsers send them; `*` stays `*`. */
export function parseCorsOrigins(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin.length > 0);
}

/** Built once per distinct setting: the env object is per isolate, the middleware needn't be per request. */
const middlewareByConfig = new Map<string, MiddlewareHandler | null>();

function middlewareFor(config: string | undefined): MiddlewareHandler | null {
  const key = config ?? "";
  if (!middlewareByConfig.has(key)) {
    const origins = parseCorsOrigins(config);
    const middleware =
      origins.length === 0
        ? null
        : cors({
            origin: origins.includes("*") ? "*" : origins,
            allowMethods: CORS_METHODS,
            // No allowHeaders: hono then echoes Access-Control-Request-Headers, i.e. every header is allowed.
            exposeHeaders: ["x-request-id"],
            maxAge: PREFLIGHT_MAX_AGE_SECONDS,
          });
    middlewareByConfig.set(key, middleware);
  }
  return middlewareByConfig.get(key) ?? null;
}

/**
 * The worker's one CORS policy (Yoga's own is off). Runs before authentication, so a preflight never
 * needs credentials. Unset API_CORS_ORIGINS means no CORS headers at all: same-origin only.
 */
export const corsFromEnv: MiddlewareHandler<AppBindings> = async (c, next) => {
  const middleware = middlewareFor(c.var.env.API_CORS_ORIGINS);
  return middleware ? middleware(c, next) : next();
};
