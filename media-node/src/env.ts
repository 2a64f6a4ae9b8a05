import { z } from "zod";

/**
 * Credentials of the local jambonz emulator (media-node/src/emulator), so `npm start` and the tests work
 * with no setup. A real jambonz replaces all four: JAMBONZ_API_URL, JAMBONZ_ACCOUNT_SID, JAMBONZ_API_KEY
 * (an account-level API key) and JAMBONZ_WEBHOOK_SECRET (the account's webhook secret).
 */
export const EMULATOR_JAMBONZ = {
  apiUrl: "http://127.0.0.1:8792",
  accountSid: "9351f46a-678c-43f5-b8a6-d4eb58d131af",
  apiKey: "emulator-api-key",
  webhookSecret: "wh_secret_emulator",
} as const;

const DEFAULT_PORT = 8790;
const DEFAULT_WS_PORT = 8791;
/** Credentials ride in the application URL (`ws://user:password@host/...`), so they stay URL-safe. */
const URL_SAFE = /^[A-Za-z0-9._~-]+$/;

/** The media node's configuration, read from the process environment. */
const mediaNodeEnvSchema = z
  .object({
    MEDIA_NODE_PORT: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_PORT),
    /** Where the media node reports call events; the edge worker. */
    EDGE_URL: z.url().default("http://127.0.0.1:8000"),
    /** Signs the internal API both ways; without it the internal API answers 503 and no report is sent. */
    INTERNAL_API_SECRET: z.string().min(32).optional(),
    /** The base URL jambonz uses to reach this node's hooks (`/jambonz/...`); defaults to the local port. */
    PUBLIC_URL: z.url().optional(),
    JAMBONZ_API_URL: z.url().default(EMULATOR_JAMBONZ.apiUrl),
    JAMBONZ_ACCOUNT_SID: z.string().min(1).default(EMULATOR_JAMBONZ.accountSid),
    JAMBONZ_API_KEY: z.string().min(1).default(EMULATOR_JAMBONZ.apiKey),
    /** Verifies `Jambonz-Signature` on every hook. */
    JAMBONZ_WEBHOOK_SECRET: z.string().min(1).default(EMULATOR_JAMBONZ.webhookSecret),
    /** Caller id when the edge sends none. */
    JAMBONZ_FROM: z.string().min(1).default("+15005550006"),
    /** Unsent reports to the edge, replayed on start (append-only JSON lines). */
    MEDIA_NODE_OUTBOX: z.string().min(1).default(".data/media-node-outbox.jsonl"),
    /** jambonz's WebSocket API (ws.jambonz.org) is served on its own port, at /jambonz/ws. */
    MEDIA_NODE_WS_PORT: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_WS_PORT),
    /** The ws(s):// base URL jambonz uses to reach the WebSocket API; defaults to the local WS port. */
    PUBLIC_WS_URL: z.url({ protocol: /^wss?$/ }).optional(),
    /** Basic-auth username jambonz presents on the WebSocket API (the application's username). */
    JAMBONZ_WS_USERNAME: z.string().regex(URL_SAFE).default("jambonz"),
    /** Its password. Without one the WebSocket API is off: jambonz cannot sign WebSocket messages. */
    JAMBONZ_WS_PASSWORD: z.string().min(16).regex(URL_SAFE).optional(),
    /** Where outbound calls' application hooks point: the signed webhooks, or the WebSocket API. */
    JAMBONZ_HOOK_TRANSPORT: z.enum(["webhook", "websocket"]).default("webhook"),
  })
  .refine((env) => env.JAMBONZ_HOOK_TRANSPORT === "webhook" || Boolean(env.JAMBONZ_WS_PASSWORD), {
    message: "JAMBONZ_HOOK_TRANSPORT=websocket needs JAMBONZ_WS_PASSWORD",
    path: ["JAMBONZ_WS_PASSWORD"],
  })
  .transform((env) => ({
    ...env,
    PUBLIC_URL: (env.PUBLIC_URL ?? `http://127.0.0.1:${env.MEDIA_NODE_PORT}`).replace(/\/+$/, ""),
    PUBLIC_WS_URL: (env.PUBLIC_WS_URL ?? `ws://127.0.0.1:${env.MEDIA_NODE_WS_PORT}`).replace(/\/+$/, ""),
  }));

export type MediaNodeEnv = z.infer<typeof mediaNodeEnvSchema>;

export function readMediaNodeEnv(source: Record<string, string | undefined> = process.env): MediaNodeEnv {
  const parsed = mediaNodeEnvSchema.safeParse(source);
  if (!parsed.success) throw new Error(`Invalid media node configuration: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
