import type { Context, Hono, MiddlewareHandler } from "hono";
import { z } from "zod";
import { runChatTurn } from "../../chat/engine.js";
import { afterChatTurn, chatEngineFor } from "../../chat/runtime.js";
import { messageHistory } from "../../chat/sessions.js";
import type { AppBindings } from "../../http/app-types.js";
import { type RateLimitRule, rateLimit } from "../../http/rate-limit.js";
import type { Principal } from "../../identity/principal.js";
// Meuble documents the same failure envelope as Botlive's: {success:false, error, detail, request_id}.
import { invalidBotliveRequest, botliveError as meubleError, renderBotliveError } from "../botlive/errors.js";
import { isoSeconds } from "../botlive/views.js";

/** LEGACY-NOTES: chat is 100 requests per minute per user (else per address). */
export const MEUBLE_CHAT_RATE_LIMIT = {
  name: "meuble-chat",
  limit: 100,
  windowSeconds: 60,
} as const satisfies RateLimitRule;

const chatBody = z.object({
  message: z.string().trim().min(1).max(4000),
  language: z.string().max(10).optional(),
  session_id: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only")
    .optional(),
});

const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
  session_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});

function meubleCaller(c: Context<AppBindings>): Principal {
  if (c.var.principal) return c.var.principal;
  const detail = c.var.authError?.message ?? "Authentication required: Authorization: Bearer <token> or X-API-Key";
  throw meubleError("unauthorized", 401, detail);
}

/** Runs a handler, rendering failures in Meuble's envelope whatever app the routes are mounted on. */
function handled(handler: (c: Context<AppBindings>) => Promise<Response>) {
  return async (c: Context<AppBindings>) => {
    try {
      return await handler(c);
    } catch (error) {
      return renderBotliveError(c, error);
    }
  };
}

/** POST /api/chat and GET /api/chat/history (shared/api-docs/meuble-de-france.md §Chat). */
export function registerMeubleChatRoutes(app: Hono<AppBindings>): void {
  const limit = rateLimit(MEUBLE_CHAT_RATE_LIMIT);
  // Before the handlers; a refusal renders in Meuble's envelope (with the limiter's Retry-After header).
  const limited: MiddlewareHandler<AppBindings> = async (c, next) => {
    try {
      await limit(c, next);
    } catch (error) {
      return renderBotliveError(c, error);
    }
  };
  app.use("/api/chat", limited);
  app.use("/api/chat/history", limited);
  app.post(
    "/api/chat",
    handled(async (c) => {
      const principal = meubleCaller(c);
      const raw = await c.req.json().catch(() => undefined);
      if (raw === undefined) throw meubleError("invalid_json", 400, "The body must be a JSON object");
      const parsed = chatBody.safeParse(raw);
      if (!parsed.success) throw invalidBotliveRequest(parsed.error, "body");
      const body = parsed.data;
      const sessionId = body.session_id ?? `session_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
      const result = await runChatTurn(chatEngineFor(c.var.env, c.var.database.db), {
        orgId: principal.orgId,
        agent: "support",
        channel: "web",
        sessionKey: sessionId,
        userId: principal.userId,
        message: body.message,
        language: body.language ?? null,
        requestId: c.var.requestId,
      });
      afterChatTurn(c.var.env, principal.orgId, result, (work) => c.executionCtx.waitUntil(work));
      return c.json({
        success: true,
        response: result.reply,
        language: result.language,
        session_id: sessionId,
        intent: result.intent,
        confidence: result.confidence,
        mode: result.mode,
        ...(result.ticket ? { ticket_id: result.ticket.code } : {}),
      });
    }),
  );
  app.get(
    "/api/chat/history",
    handled(async (c) => {
      const principal = meubleCaller(c);
      const parsed = historyQuery.safeParse(c.req.query());
      if (!parsed.success) throw invalidBotliveRequest(parsed.error, "query");
      const { limit: pageSize, offset, session_id } = parsed.data;
      const { entries, total } = await messageHistory(
        c.var.database.db,
        {
          orgId: principal.orgId,
          channel: "web",
          userId: principal.userId,
          ...(session_id ? { sessionKey: session_id } : {}),
        },
        { limit: pageSize, offset },
      );
      return c.json({
        success: true,
        history: entries.map((entry) => ({
          role: entry.role,
          content: entry.content,
          session_id: entry.sessionKey,
          intent: entry.intent,
          confidence: entry.confidence,
          timestamp: isoSeconds(entry.createdAt),
        })),
        total,
        limit: pageSize,
        offset,
      });
    }),
  );
}
