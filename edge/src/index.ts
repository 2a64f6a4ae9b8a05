import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { RequestDatabase } from "./db/client.js";
import { registerOpenApiDocument } from "./docs/openapi.js";
import { registerDocPages } from "./docs/pages.js";
import { readEnv } from "./env.js";
import { yoga } from "./graphql/yoga.js";
import type { AppBindings } from "./http/app-types.js";
import { corsFromEnv } from "./http/cors.js";
import { ApiError, logUnexpected, renderDefaultError } from "./http/errors.js";
import { requestLog } from "./http/request-log.js";
import { authenticate, credentialsFrom } from "./identity/authenticate.js";
import { createInternalApp, INTERNAL_API_PREFIX, RECORDING_UPLOAD_PATH } from "./internal/routes.js";
import { forwardToStreamSession, isStreamRequest } from "./live/single-connection.js";
import { BOTLIVE_BASE, createBotliveApp } from "./rest/botlive/surface.js";
import { createMeubleApp, isMeublePath, MEUBLE_BASE } from "./rest/meuble/surface.js";
import { createMiniBotPanelApp } from "./rest/minibotpanel/surface.js";
import { createSpeechAiApp, SPEECHAI_BASE } from "./rest/speechai/surface.js";
import { createVoiceEraApp, VOICEERA_BASE } from "./rest/voiceera/surface.js";
import { AuthenticationError } from "./shared/errors.js";
import { kickOverdueDispatchers } from "./webhooks/sweep.js";

const MAX_BODY_BYTES = 5 * 1024 * 1024;
const app = new OpenAPIHono<AppBindings>();

app.use(async (c, next) => {
  const requestId = c.req.header("x-request-id")?.slice(0, 100) || crypto.randomUUID();
  c.set("requestId", requestId);
  const env = readEnv(c.env);
  c.set("env", env);
  const database = new RequestDatabase(env);
  c.set("database", database);
  try {
    await next();
  } finally {
    c.executionCtx.waitUntil(database.close());
  }
  c.header("x-request-id", requestId);
});

app.use(requestLog);
// Before authentication: a CORS preflight carries no credentials.
app.use(corsFromEnv);

const globalBodyLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => renderDefaultError(c, new ApiError("PAYLOAD_TOO_LARGE", 413, "Request body exceeds 5 MB")),
});
// Recording uploads stream to R2 under their own, larger cap (MAX_RECORDING_BYTES, checked by their route).
// Meuble de France applies its own limits (5 MB, 10 MB for /api/upload) to answer 413 in its envelope.
app.use((c, next) =>
  (c.req.method === "PUT" && RECORDING_UPLOAD_PATH.test(c.req.path)) || isMeublePath(c.req.path)
    ? next()
    : globalBodyLimit(c, next),
);

/** Resolves the caller once; surfaces decide whether anonymous access is allowed. */
app.use(async (c, next) => {
  try {
    const principal = await authenticate(
      () => c.var.database.db,
      c.var.env,
      credentialsFrom(c.req.raw),
      (work) => c.executionCtx.waitUntil(work),
    );
    c.set("principal", principal);
    c.set("authError", null);
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
    c.set("principal", null);
    c.set("authError", error);
  }
  await next();
});

// graphql-sse single-connection mode shares the endpoint: its requests are told apart by method and stream token.
app.on(["GET", "POST", "PUT", "DELETE", "OPTIONS"], "/graphql", (c) =>
  isStreamRequest(c.req.raw)
    ? forwardToStreamSession(c)
    : yoga.fetch(c.req.raw, {
        env: c.var.env,
        database: c.var.database,
        principal: c.var.principal,
        authError: c.var.authError,
        requestId: c.var.requestId,
        waitUntil: (work: Promise<unknown>) => c.executionCtx.waitUntil(work),
        disconnected: c.req.raw.signal,
      }),
);

app.route(INTERNAL_API_PREFIX, createInternalApp());
app.route("/", createMiniBotPanelApp());
app.route(BOTLIVE_BASE, createBotliveApp());
// SpeechAI lives under /api/v1, which no other surface uses (MiniBotPanel's paths are /api/campaigns, /api/stats, …).
app.route(SPEECHAI_BASE, createSpeechAiApp());
// VoiceERA's paths (/auth, /agents, /campaigns, /call-logs, …) do not meet MiniBotPanel's /api/… ones; only /health
// does, so VoiceERA's own /health is under VOICEERA_BASE, where the whole surface is mounted too.
app.route(VOICEERA_BASE, createVoiceEraApp({ withHealth: true }));
app.route("/", createVoiceEraApp({ withHealth: false }));
// Meuble de France: whole under /meuble (with its /health); at the root too, where its paths (/api/auth, /api/chat,
// /api/upload(s), /api/tickets, /api/products, /api/voice, /ready, /query-stats, …) meet no other surface's.
app.route(MEUBLE_BASE, createMeubleApp({ withHealth: true }));
app.route("/", createMeubleApp({ withHealth: false }));
registerDocPages(app);
registerOpenApiDocument(app);

app.notFound((c) => renderDefaultError(c, new ApiError("HTTP_404", 404, "Not Found")));
app.onError((error, c) => {
  const apiError = ApiError.from(error);
  if (apiError.status >= 500) logUnexpected(c.var.requestId, error);
  return renderDefaultError(c, apiError);
});

export default {
  fetch: app.fetch,
  /** The cron trigger (wrangler.toml): re-kicks webhook dispatchers whose kick was lost. */
  scheduled(_controller: ScheduledController, bindings: object, ctx: ExecutionContext): void {
    ctx.waitUntil(kickOverdueDispatchers(readEnv(bindings)));
  },
};
/** Durable Object classes are exported from the worker's entry by name (wrangler.toml binds them). */
export { CampaignDialer } from "./dialer/campaign-dialer.js";
export { RateLimiter } from "./http/rate-limiter.js";
export { EventHub } from "./live/hub.js";
export { StreamSession } from "./live/stream-session.js";
export { WebhookDispatcher } from "./webhooks/dispatcher.js";
