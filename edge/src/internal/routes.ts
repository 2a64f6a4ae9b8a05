import { Hono } from "hono";
import type { AppBindings } from "../http/app-types.js";
import { ApiError, logUnexpected, renderDefaultError } from "../http/errors.js";
import { RECORDING_CONTENT_TYPE, storeRecording } from "../recordings/service.js";
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
