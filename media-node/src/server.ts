import { Hono } from "hono";

/** What the media node knows about speech (ASR and TTS run on jambonz, configured there per vendor). */
export type SpeechReport = {
  status: "healthy" | "degraded" | "unhealthy" | "unknown";
  asr: string;
  tts: string;
  detail?: string;
};

/**
 * Until the media node holds a jambonz connection it cannot see the speech vendors' state, so it says
 * where speech runs and that it has not verified it.
 */
export const UNVERIFIED_SPEECH: SpeechReport = {
  status: "unknown",
  asr: "jambonz",
  tts: "jambonz",
  detail: "not verified: the media node has no jambonz connection yet",
};

/** The media node's HTTP surface. Uptime counts from the app's creation, not the process's. */
export function createMediaNodeApp(options: { now?: () => number; speech?: () => SpeechReport } = {}): Hono {
  const now = options.now ?? Date.now;
  const speech = options.speech ?? (() => UNVERIFIED_SPEECH);
  const startedAt = now();
  const app = new Hono();
  app.get("/health", (c) =>
    c.json({
      status: "ok",
      service: "media-node",
      uptime_seconds: Math.floor((now() - startedAt) / 1000),
      speech: speech(),
    }),
  );
  return app;
}
