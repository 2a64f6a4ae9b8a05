import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "./app-types.js";

/** Query parameters whose values never reach the logs (the legacy password travels as `?password=`). */
const SECRET_PARAMETERS = new Set([
  "password",
  "api_key",
  "apikey",
  "x-api-key",
  "key",
  "token",
  "access_token",
  "refresh_token",
  "secret",
]);

/** The path and query string, with secret parameter values replaced by `***`. Headers are never logged. */
export function loggableTarget(url: string): string {
  const parsed = new URL(url);
  const query = parsed.search.slice(1);
  if (!query) return parsed.pathname;
  const masked = query
    .split("&")
    .map((pair) => {
      const [rawName = ""] = pair.split("=", 1);
      return SECRET_PARAMETERS.has(decodeName(rawName).toLowerCase()) ? `${rawName}=***` : pair;
    })
    .join("&");
  return `${parsed.pathname}?${masked}`;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    return raw;
  }
}

/** `📥 GET /api/campaigns/ [<request id>]` */
export function incomingLine(method: string, target: string, requestId: string): string {
  return `📥 ${method} ${target} [${requestId}]`;
}

/** `📤 GET /api/campaigns/ - 200 - 0.045s [<request id>]` */
export function outgoingLine(
  method: string,
  target: string,
  status: number,
  elapsedMs: number,
  requestId: string,
): string {
  return `📤 ${method} ${target} - ${status} - ${(elapsedMs / 1000).toFixed(3)}s [${requestId}]`;
}

/** One line when a request arrives and one when it is answered, as MiniBotPanel logged them. */
export const requestLog: MiddlewareHandler<AppBindings> = async (c, next) => {
  const started = Date.now();
  const target = loggableTarget(c.req.url);
  const requestId = c.var.requestId;
  console.log(incomingLine(c.req.method, target, requestId));
  try {
    await next();
  } finally {
    console.log(outgoingLine(c.req.method, target, c.res.status, Date.now() - started, requestId));
  }
};
