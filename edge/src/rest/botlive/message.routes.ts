import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { runChatTurn, streamChatTurn } from "../../chat/engine.js";
import { afterChatTurn, chatEngineFor } from "../../chat/runtime.js";
import type { ChatTurnInput } from "../../chat/turn.js";
import type { AppBindings } from "../../http/app-types.js";
import type { Principal } from "../../identity/principal.js";
import { assertOwnCompany, botliveCaller } from "./auth.js";
import { botliveError, invalidBotliveRequest, renderBotliveError } from "./errors.js";
import { type BotliveMessageBody, botliveMessageBody } from "./schemas.js";
import type { BotliveApp } from "./surface.js";
import { doneEvent, messageView } from "./views.js";

/** POST /message (JSON reply) and /message/stream (SSE: start, token…, done; every data line is JSON). */
export function registerMessageRoutes(app: BotliveApp): void {
  app.post("/message", async (c) => {
    const { principal, input } = await turnInput(c);
    const result = await runChatTurn(chatEngineFor(c.var.env, c.var.database.db), input);
    afterChatTurn(c.var.env, principal.orgId, result, (work) => c.executionCtx.waitUntil(work));
    return c.json(messageView(result, c.var.requestId));
  });

  app.post("/message/stream", async (c) => {
    // Validation and auth fail as JSON errors before the stream starts.
    const { principal, input } = await turnInput(c);
    const requestId = c.var.requestId;
    let finished!: () => void;
    c.var.database.keepOpenUntil(new Promise<void>((resolve) => (finished = resolve)));
    return streamSSE(c, async (stream) => {
      try {
        await stream.writeSSE({ data: JSON.stringify({ event: "start", request_id: requestId }) });
        const turn = streamChatTurn(chatEngineFor(c.var.env, c.var.database.db), input);
        for (;;) {
          const next = await turn.next();
          if (next.done) {
            afterChatTurn(c.var.env, principal.orgId, next.value, (work) => c.executionCtx.waitUntil(work));
            await stream.writeSSE({ data: JSON.stringify(doneEvent(next.value, requestId)) });
            break;
          }
          await stream.writeSSE({ data: JSON.stringify({ event: "token", content: next.value }) });
        }
      } catch (error) {
        const failure = await renderBotliveError(c, error).json();
        await stream.writeSSE({ data: JSON.stringify({ event: "error", ...(failure as object) }) });
      } finally {
        finished();
      }
    });
  });
}

async function turnInput(c: Context<AppBindings>): Promise<{ principal: Principal; input: ChatTurnInput }> {
  const principal = botliveCaller(c);
  const body = await parseBody(c);
  await assertOwnCompany(c, principal, body.company_id);
  return {
    principal,
    input: {
      orgId: principal.orgId,
      agent: "orders",
      channel: "whatsapp",
      sessionKey: body.user_id,
      userId: null,
      customerName: body.user_name ?? null,
      message: body.message,
      images: body.images,
      language: body.language ?? null,
      requestId: c.var.requestId,
    },
  };
}

async function parseBody(c: Context<AppBindings>): Promise<BotliveMessageBody> {
  const raw = await c.req.json().catch(() => undefined);
  if (raw === undefined) throw botliveError("invalid_json", 400, "The body must be a JSON object");
  const parsed = botliveMessageBody.safeParse(raw);
  if (!parsed.success) throw invalidBotliveRequest(parsed.error, "body");
  return parsed.data;
}
