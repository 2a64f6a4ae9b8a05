import type { DurableObjectNamespace, R2Bucket } from "@cloudflare/workers-types/latest";
import { z } from "zod";

const r2Bucket = z.custom<R2Bucket>(
  (value) => typeof value === "object" && value !== null && "get" in value && "put" in value,
  "must be an R2 bucket binding",
);

const durableObjectNamespace = z.custom<DurableObjectNamespace>(
  (value) => typeof value === "object" && value !== null && "idFromName" in value && "get" in value,
  "must be a Durable Object namespace binding",
);

/** Worker bindings and vars, validated once per isolate per env object. */
const envSchema = z.object({
  DATABASE_URL: z.string().url(),
  /** Local only: host:port of the WebSocket→TCP bridge standing in for Neon's proxy. */
  DB_WS_PROXY: z.string().optional(),
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters"),
  API_PASSWORD: z.string().min(1).optional(),
  DEFAULT_ORG_SLUG: z.string().min(1).default("demo"),
  ENVIRONMENT: z.enum(["development", "test", "production"]).default("production"),
  /** Comma-separated origins allowed by CORS; unset means no cross-origin access. */
  API_CORS_ORIGINS: z.string().optional(),
  /** Base URL of the media node (telephony), used by /health and, later, to place calls. */
  MEDIA_NODE_URL: z.string().url().default("http://127.0.0.1:8790"),
  /** Shared secret signing the internal API between the media node and the edge. */
  INTERNAL_API_SECRET: z.string().min(32, "INTERNAL_API_SECRET must be at least 32 characters").optional(),
  /** OpenAI-compatible endpoint for LLM agents; unset means scenario agents only. */
  LLM_BASE_URL: z.string().url().optional(),
  /** Bearer key for LLM_BASE_URL; unset for local servers that need none. */
  LLM_API_KEY: z.string().min(1).optional(),
  /** Model for LLM agents whose own llm_model is empty. */
  LLM_MODEL: z.string().min(1).default("gpt-4o-mini"),
  /** OpenAI-compatible speech endpoint (up to /v1) for /api/voice: a provider, or the local eSpeak-NG server. */
  SPEECH_BASE_URL: z.string().url().optional(),
  SPEECH_API_KEY: z.string().min(1).optional(),
  SPEECH_TRANSCRIPTION_MODEL: z.string().min(1).default("whisper-1"),
  SPEECH_TTS_MODEL: z.string().min(1).default("tts-1"),
  /** Audio format asked of /audio/speech: mp3 (the document's audio/mpeg) or wav (the local eSpeak-NG server). */
  SPEECH_TTS_FORMAT: z.enum(["mp3", "wav"]).default("mp3"),
  /** Workers AI binding (`[ai]` in wrangler.toml), used for speech when SPEECH_BASE_URL is unset. */
  AI: z.custom<{ run: unknown }>((value) => typeof value === "object" && value !== null && "run" in value).optional(),
  /** Meuble de France customer uploads (photos, videos of a defect). */
  UPLOADS: r2Bucket,
  /** Where call recordings (WAV) live. */
  RECORDINGS: r2Bucket,
  /** One CampaignDialer Durable Object per campaign (edge/src/dialer). */
  CAMPAIGN_DIALER: durableObjectNamespace,
  /** One EventHub Durable Object per organisation (or per shard of its topics), for live subscriptions. */
  EVENT_HUB: durableObjectNamespace,
  /** One RateLimiter Durable Object per caller and rule (edge/src/http/rate-limit.ts). */
  RATE_LIMITER: durableObjectNamespace,
  /** One StreamSession Durable Object per graphql-sse single-connection stream, named by its token. */
  STREAM_SESSION: durableObjectNamespace,
  /** One WebhookDispatcher Durable Object per organisation (edge/src/webhooks/dispatcher.ts). */
  WEBHOOK_DISPATCHER: durableObjectNamespace,
  /**
   * Development only: comma-separated `host` or `host:port` webhook targets allowed although private or loopback
   * (e.g. "127.0.0.1,localhost"). Unset in production: every private target is refused.
   */
  WEBHOOK_ALLOWED_HOSTS: z.string().optional(),
  /** First retry delay of a failed webhook delivery; each further retry doubles it (plus jitter). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().positive().default(30_000),
  /** Attempts before a delivery goes to the dead letter state. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
});

export type AppEnv = z.infer<typeof envSchema>;

const validated = new WeakMap<object, AppEnv>();

export function readEnv(bindings: object): AppEnv {
  const cached = validated.get(bindings);
  if (cached) return cached;
  const parsed = envSchema.safeParse(bindings);
  if (!parsed.success) {
    throw new Error(`Invalid worker configuration: ${z.prettifyError(parsed.error)}`);
  }
  validated.set(bindings, parsed.data);
  return parsed.data;
}
