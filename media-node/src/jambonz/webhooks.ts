import type { Context, Hono } from "hono";
import type { Conversation } from "../calls/conversation.js";
import type { HookPayload } from "../calls/registry.js";
import { verifyJambonzSignature } from "./signature.js";

/**
 * jambonz's hooks. Every one is signed with the account's webhook secret (`Jambonz-Signature`); the
 * signature covers the raw body, so it is read as text before parsing.
 *   POST /jambonz/call    call_hook: outbound answered or inbound arrived → verbs
 *   POST /jambonz/status  call_status_hook → 200 (events go to the edge through the outbox)
 *   POST /jambonz/gather  gather actionHook → verbs
 *   POST /jambonz/amd     amd actionHook → verbs, or [] to leave the running verbs alone
 *   POST /jambonz/continue redirect after the first sentences of a streamed reply → the rest of it
 *   POST /jambonz/partial  gather partialResultHook: what the contact has said so far → 204 (jambonz ignores it)
 */
export function registerJambonzHooks(app: Hono, conversation: Conversation, webhookSecret: string): void {
  app.post("/jambonz/call", (c) =>
    withPayload(c, webhookSecret, async (payload) =>
      c.json(await conversation.answer(payload, { afterAmdWait: c.req.query("after") === "amd-wait" })),
    ),
  );
  app.post("/jambonz/status", (c) =>
    withPayload(c, webhookSecret, async (payload) => {
      conversation.status(payload);
      return c.body(null, 204);
    }),
  );
  app.post("/jambonz/gather", (c) =>
    withPayload(c, webhookSecret, async (payload) => c.json(await conversation.gather(payload))),
  );
  app.post("/jambonz/amd", (c) =>
    withPayload(c, webhookSecret, async (payload) => c.json(await conversation.amd(payload))),
  );
  app.post("/jambonz/continue", (c) =>
    withPayload(c, webhookSecret, async (payload) => c.json(await conversation.continue(payload))),
  );
  app.post("/jambonz/partial", (c) =>
    withPayload(c, webhookSecret, async (payload) => {
      conversation.partial(payload);
      return c.body(null, 204);
    }),
  );
}

async function withPayload(
  c: Context,
  secret: string,
  handle: (payload: HookPayload) => Promise<Response>,
): Promise<Response> {
  const raw = await c.req.text();
  const check = verifyJambonzSignature(secret, c.req.header("jambonz-signature"), raw);
  if (!check.ok) return c.json({ error: check.message }, check.status);
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    return c.json({ error: "Body must be JSON" }, 400);
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return c.json({ error: "Body must be a JSON object" }, 400);
  }
  return handle(payload as HookPayload);
}
