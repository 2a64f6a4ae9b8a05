import type { Hono } from "hono";
import { z } from "zod";
import { runChatTurn } from "../../chat/engine.js";
import { afterChatTurn, chatEngineFor } from "../../chat/runtime.js";
import { messageHistory } from "../../chat/sessions.js";
import type { AppBindings } from "../../http/app-types.js";
import { isoSeconds } from "../botlive/views.js";
import { caller } from "./auth.js";
import { jsonBody, parse } from "./request.js";

/**
 * Meuble's chat on the chat engine (customer-service agent, channel "web"). The Meuble surface around these routes
 * supplies the caller check, the chat rate limit (100/min), the body and time limits and the error envelope.
 */

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

/** POST /api/chat and GET /api/chat/history (shared/api-docs/meuble-de-france.md §Chat). */
export function registerMeubleChatRoutes(app: Hono<AppBindings>): void {
  app.post("/api/chat", async (c) => {
    const principal = caller(c);
    const body = await jsonBody(c, chatBody);
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
  });
  app.get("/api/chat/history", async (c) => {
    const principal = caller(c);
    const { limit: pageSize, offset, session_id } = parse(historyQuery, c.req.query(), "Invalid query");
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
  });
}
