import { AGENT_TURN_STREAM_MEDIA_TYPE } from "@switchboard/schema/internal/calls";
import { type Context, Hono } from "hono";
import { afterCallEvents, type EventRequest } from "../calls/after-events.js";
import { finishTurn, startAgentTurn } from "../calls/agent-turn.js";
import { recordCallEvent, recordCallEvents } from "../calls/events.js";
import { acceptInboundCall } from "../calls/inbound.js";
import { partialTranscriptEvent } from "../calls/partial-transcripts.js";
import type { AppBindings } from "../http/app-types.js";
import { ApiError, logUnexpected, renderDefaultError } from "../http/errors.js";
import { hubStats, livePublisher } from "../live/publish.js";
import {
  MAX_RECORDING_BYTES,
  RECORDING_CONTENT_TYPE,
  type RecordingUpload,
  storeRecording,
} from "../recordings/service.js";
import { ValidationError } from "../shared/errors.js";
import { requireInternalSignature } from "./signature.js";
import { ndjsonTurn, wantsTurnStream } from "./turn-stream.js";

/** Where the internal API is mounted; the media node signs paths under it. */
export const INTERNAL_API_PREFIX = "/internal/v1";

/** The recording upload's path; it is exempt from the global body limit (see edge/src/index.ts). */
export const RECORDING_UPLOAD_PATH = /^\/internal\/v1\/calls\/[^/]+\/recording$/;

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
    const callId = c.req.param("call_id");
    const outcome = await recordCallEvent(c.var.database.db, callId, await jsonBody(c.req));
    afterCallEvents(eventRequest(c), callId, [outcome]);
    return c.json({ applied: outcome.applied });
  });

  /** Several events of one call in order (a media node catching up after a slow answer). */
  app.post("/calls/:call_id/events/batch", async (c) => {
    const callId = c.req.param("call_id");
    const outcomes = await recordCallEvents(c.var.database.db, callId, await jsonBody(c.req));
    afterCallEvents(eventRequest(c), callId, outcomes);
    return c.json({ applied: outcomes.map((outcome) => outcome.applied) });
  });

  /** What the contact has said so far (the recogniser's interim result): live subscribers only, never stored. */
  app.post("/calls/:call_id/partial-transcripts", async (c) => {
    const partial = await partialTranscriptEvent(c.var.database.db, c.req.param("call_id"), await jsonBody(c.req));
    if (partial) livePublisher(c.var.env, (work) => c.executionCtx.waitUntil(work))(partial.orgId, [partial.event]);
    return c.json({ published: partial !== null });
  });

  /** The agent's reply to what the caller just did; streamed (NDJSON) when the caller accepts it. */
  app.post("/calls/:call_id/turn", async (c) => {
    const turn = await startAgentTurn(c.var.database.db, c.var.env, c.req.param("call_id"), await jsonBody(c.req));
    if (!wantsTurnStream(c.req.header("accept"), AGENT_TURN_STREAM_MEDIA_TYPE)) return c.json(await finishTurn(turn));
    const { stream, finished } = ndjsonTurn(turn, (error) => logUnexpected(c.var.requestId, error));
    c.var.database.keepOpenUntil(finished);
    return new Response(stream, {
      status: 200,
      headers: { "content-type": AGENT_TURN_STREAM_MEDIA_TYPE, "cache-control": "no-store" },
    });
  });

  /** A call arrived on one of our numbers: which organisation and call it is. */
  app.post("/inbound-calls", async (c) => {
    const call = await acceptInboundCall(c.var.database.db, await jsonBody(c.req));
    return c.json({ call_id: call.callId, org_id: call.orgId });
  });

  /**
   * The call's recording, as WAV bytes streamed to R2 (up to MAX_RECORDING_BYTES, announced by Content-Length;
   * exempt from the global body limit); replaces any earlier upload.
   */
  app.put("/calls/:call_id/recording", async (c) => {
    const mediaType = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
    if (!WAV_CONTENT_TYPES.has(mediaType)) {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE", 415, `Expected Content-Type ${RECORDING_CONTENT_TYPE}`);
    }
    const stored = await storeRecording(
      c.var.database.db,
      c.var.env.RECORDINGS,
      c.req.param("call_id"),
      recordingUpload(c.req.raw),
    );
    return c.json({
      call_id: stored.callId,
      recording_key: stored.key,
      bytes: stored.bytes,
      duration_ms: stored.wav.durationMs,
    });
  });
  /** Open live subscriptions of an organisation, per topic (metrics; tests check that disconnects free them). */
  app.get("/event-hubs/:org_id/stats", async (c) => c.json(await hubStats(c.var.env, c.req.param("org_id"))));
  return app;
}

/** A recording upload's body and its announced length, which R2 needs up front and the size cap checks. */
function recordingUpload(request: Request): RecordingUpload {
  const length = request.headers.get("content-length");
  if (!length || !/^\d+$/.test(length)) {
    throw new ApiError("LENGTH_REQUIRED", 411, "A recording upload needs a Content-Length");
  }
  const bytes = Number(length);
  if (bytes > MAX_RECORDING_BYTES) {
    throw new ApiError("PAYLOAD_TOO_LARGE", 413, `A recording may not exceed ${MAX_RECORDING_BYTES} bytes`);
  }
  if (!request.body || bytes === 0) {
    throw new ValidationError("The body is not a WAV file", [{ path: ["body"], message: "empty body" }]);
  }
  return { body: request.body, bytes };
}

/** The request's JSON; a body that is not JSON is a validation error like any other bad input. */
async function jsonBody(request: { json: () => Promise<unknown> }): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ValidationError("The body is not valid JSON", [{ path: ["body"], message: "Invalid JSON" }]);
  }
}

function eventRequest(c: Context<AppBindings>): EventRequest {
  return {
    env: c.var.env,
    database: c.var.database,
    waitUntil: (work) => c.executionCtx.waitUntil(work),
    logError: (error) => logUnexpected(c.var.requestId, error),
  };
}
