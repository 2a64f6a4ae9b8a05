import { Hono } from "hono";
import type { AppBindings } from "../../http/app-types.js";
import { rateLimit } from "../../http/rate-limit.js";
import { requireCaller } from "./auth.js";
import { registerMeubleAuthRoutes } from "./auth.routes.js";
import { registerMeubleChatRoutes } from "./chat.routes.js";
import { meubleError, renderMeubleError } from "./errors.js";
import {
  defaultBodyLimit,
  MEUBLE_RATE_LIMITS,
  REQUEST_TIMEOUT_SECONDS,
  timeoutAfter,
  UPLOAD_TIMEOUT_SECONDS,
  uploadBodyLimit,
} from "./limits.js";
import { registerMeubleOpsRoutes } from "./ops.routes.js";
import { registerMeubleSupportRoutes } from "./support.routes.js";
import { registerMeubleVoiceRoutes } from "./voice.routes.js";

export type MeubleApp = Hono<AppBindings>;

/** The whole surface again under this base, where /health answers in Meuble's shape (MiniBotPanel has the root's). */
export const MEUBLE_BASE = "/meuble";

/** Meuble paths under /api: one registration per prefix, never `/api/*`, which MiniBotPanel shares at the root. */
const API_PREFIXES = [
  "/api/auth",
  "/api/chat",
  "/api/upload",
  "/api/uploads",
  "/api/tickets",
  "/api/products",
  "/api/voice",
] as const;

/** Requests the edge's global 5 MB limit leaves to this surface, which answers 413 in its own envelope. */
export function isMeublePath(path: string): boolean {
  const local = path.startsWith(`${MEUBLE_BASE}/`) ? path.slice(MEUBLE_BASE.length) : path;
  return API_PREFIXES.some((prefix) => local === prefix || local.startsWith(`${prefix}/`));
}

function isUpload(path: string): boolean {
  return path === "/api/upload" || path === `${MEUBLE_BASE}/api/upload`;
}

/**
 * Meuble de France's REST API (shared/api-docs/meuble-de-france.md) as a thin adapter over the support, speech,
 * identity and ops services. `withHealth` adds its /health, which the root mount leaves to MiniBotPanel.
 */
export function createMeubleApp(options: { withHealth: boolean }): MeubleApp {
  const app: MeubleApp = new Hono<AppBindings>();
  app.onError((error, c) => renderMeubleError(c, error));
  // A `/x/*` pattern also matches `/x` itself: one registration per prefix, so each request counts once.
  for (const prefix of API_PREFIXES) {
    const pattern = `${prefix}/*`;
    app.use(pattern, (c, next) => (isUpload(c.req.path) ? uploadBodyLimit(c, next) : defaultBodyLimit(c, next)));
    app.use(pattern, (c, next) =>
      timeoutAfter(isUpload(c.req.path) ? UPLOAD_TIMEOUT_SECONDS : REQUEST_TIMEOUT_SECONDS)(c, next),
    );
    app.use(pattern, (c, next) => rateLimit(ruleFor(c.req.path))(c, next));
    // Before the body is read: an anonymous caller learns it needs a credential, not what its body lacks.
    if (prefix !== "/api/auth") app.use(pattern, requireCaller);
  }
  registerMeubleAuthRoutes(app);
  registerMeubleChatRoutes(app);
  registerMeubleSupportRoutes(app);
  registerMeubleVoiceRoutes(app);
  registerMeubleOpsRoutes(app, options);
  for (const prefix of API_PREFIXES) {
    app.all(`${prefix}/*`, () => {
      throw meubleError("not_found", 404, "Not Found");
    });
  }
  return app;
}

function ruleFor(path: string) {
  const local = path.startsWith(`${MEUBLE_BASE}/`) ? path.slice(MEUBLE_BASE.length) : path;
  if (local === "/api/auth/login") return MEUBLE_RATE_LIMITS.login;
  if (local === "/api/upload") return MEUBLE_RATE_LIMITS.upload;
  if (local === "/api/chat" || local.startsWith("/api/chat/")) return MEUBLE_RATE_LIMITS.chat;
  return MEUBLE_RATE_LIMITS.general;
}
