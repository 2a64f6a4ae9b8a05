import type { Hono } from "hono";
import { z } from "zod";
import type { AppBindings } from "../../http/app-types.js";
import { synthesize, transcribe } from "../../speech/service.js";
import { caller } from "./auth.js";
import { fileField, formBody, jsonBody, textField } from "./request.js";

const TtsBody = z.object({
  text: z.string().max(4096),
  language: z.string().max(20).optional(),
  voice: z.string().max(50).optional(),
});

export function registerMeubleVoiceRoutes(app: Hono<AppBindings>): void {
  app.post("/api/voice/transcribe", async (c) => {
    caller(c);
    const form = await formBody(c);
    const audio = await fileField(form, "audio_file");
    const result = await transcribe(
      c.var.env,
      {
        bytes: audio.bytes,
        contentType: audio.declaredType || "application/octet-stream",
        fileName: audio.fileName || "audio",
      },
      textField(form, "language"),
    );
    return c.json(
      { success: true, text: result.text, language: result.language, duration: result.durationSeconds },
      200,
    );
  });

  app.post("/api/voice/tts", async (c) => {
    caller(c);
    const speech = await synthesize(c.var.env, await jsonBody(c, TtsBody));
    return new Response(speech.audio, {
      headers: { "content-type": speech.contentType, "content-length": String(speech.audio.byteLength) },
    });
  });
}
