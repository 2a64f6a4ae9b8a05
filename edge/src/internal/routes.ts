import { Hono } from "hono";
import { answerTurn } from "../calls/agent-turn.js";
import { recordCallEvent } from "../calls/events.js";
import { acceptInboundCall } from "../calls/inbound.js";
import { wakeDialer } from "../dialer/wake.js";
import type { AppBindings } from "../http/app-types.js";
import { ApiError, logUnexpected, renderDefaultError } from "../http/errors.js";
import { RECORDING_CONTENT_TYPE, storeRecording } from "../recordings/service.js";
import { ValidationError } from "../shared/errors.js";
import { requireInternalSignature } from "./signature.js";

/** Where the internal API is mounted; the media node signs paths under it. */
export const INTERNAL_API_PREFIX = "/internal/v1";

const WAV_CONTENT_TYPES = new Set([RECORDING_CONTENT_TYPE, "audio/x-wav", "audio/wave", "audio/vnd.wave"]);

/**
 * The signed API the media node calls. Plain Hono routes: they are not part of any public
 * surface, so they stay out of /openapi.json.
 */
export function createInternalApp(): Hono<AppBindings> {
  const app = new Hono<AppBindings>();
  app.onError((error, c) => {
    const apiError = ApiError.from(error);
    if (apiError.code === "INTERNAL_ERROR") logUnexpected(c.var.requestId, error);
    return renderDefaultError(c, apiError);
  });
  app.use("*", requireInternalSignature);

  /** What happened on a call (status, AMD verdict, spoken turn); a replayed idempotency key changes nothing. */
  app.post("/calls/:call_id/events", async (c) => {
    const outcome = await recordCallEvent(c.var.database.db, c.req.param("call_id"), await jsonBody(c.req));
    if (outcome.wakeCampaignId) c.executionCtx.waitUntil(wakeDialer(c.var.env, outcome.wakeCampaignId));
    return c.json({ applied: outcome.applied });
  });

  /** The agent's reply to what the caller just did. */
  app.post("/calls/:call_id/turn", async (c) => {
    return c.json(await answerTurn(c.var.database.db, c.var.env, c.req.param("call_id"), await jsonBody(c.req)));
  });

  /** A call arrived on one of our numbers: which organisation and call it is. */
  app.post("/inbound-calls", async (c) => {
    const call = await acceptInboundCall(c.var.database.db, await jsonBody(c.req));
    return c.json({ call_id: call.callId, org_id: call.orgId });
  });

  /** The call's recording, as WAV bytes; replaces any earlier upload. */
  app.put("/calls/:call_id/recording", async (c) => {
    const mediaType = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
    if (!WAV_CONTENT_TYPES.has(mediaType)) {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", 415, `Expected Content-Type ${RECORDING_CONTENT_TYPE}`);
    }
    const audio = new Uint8Array(await c.req.arrayBuffer());
    const stored = await storeRecording(c.var.database.db, c.var.env.RECORDINGS, c.req.param("call_id"), audio);
    return c.json({
      call_id: stored.callId,
      recording_key: stored.key,
      bytes: stored.bytes,
      duration_ms: stored.wav.durationMs,
    });
  });
  return app;
}

/** The request's JSON; a body that is not JSON is a validation error like any other bad input. */
async function jsonBody(request: { json: () => Promise<unknown> }): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ValidationError("The body is not valid JSON", [{ path: ["body"], message: "Invalid JSON" }]);
  }
}
