import type { Server } from "node:http";
import type { ReportedCallStatus } from "@switchboard/schema/internal/calls";
import { Hono } from "hono";
import { Conversation } from "./calls/conversation.js";
import { DialBook } from "./calls/dials.js";
import { type CallLookup, jambonzCallLookup, resumeDials, settleResumedDials } from "./calls/recovery.js";
import { CallRegistry, type LiveCall } from "./calls/registry.js";
import { CallReporter } from "./calls/reporter.js";
import { hookUrls } from "./calls/verbs.js";
import { EdgeClient } from "./edge/client.js";
import { Outbox } from "./edge/outbox.js";
import { type MediaNodeEnv, readMediaNodeEnv } from "./env.js";
import { type CallPlacer, jambonzCallPlacer, registerInternalApi } from "./internal-api.js";
import { attachListenServer } from "./jambonz/listen.js";
import { registerJambonzHooks } from "./jambonz/webhooks.js";
import {
  startWsApi,
  type WsApiServer,
  type WsCredentials,
  wsApplicationUrl,
  wsHookUrls,
  wsPlacementUrls,
} from "./jambonz/ws-api.js";

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

export type MediaNodeOptions = {
  now?: () => number;
  speech?: () => SpeechReport;
  /** Defaults to the built-in defaults (not process.env): main.ts passes the environment's. */
  config?: MediaNodeEnv;
  /** Overrides config.MEDIA_NODE_OUTBOX; `null` keeps unsent reports in memory only. Without config: null. */
  outboxFile?: string | null;
  /** Outbox retry delays (tests shorten them). */
  retry?: { baseDelayMs?: number; maxDelayMs?: number };
  /** How calls reach jambonz; defaults to its REST API through @jambonz/sdk's JambonzClient. */
  placeCall?: CallPlacer;
  /** Whether jambonz still has a call (recovery after a restart); defaults to its REST API. */
  lookupCall?: CallLookup;
  /** Used for requests to the edge. */
  fetch?: typeof fetch;
  log?: (message: string) => void;
};

export type MediaNode = {
  app: Hono;
  outbox: Outbox;
  registry: CallRegistry;
  dials: DialBook;
  config: MediaNodeEnv;
  /**
   * Asks jambonz about the dials an earlier process placed and never saw end, and reports the end of those
   * that are gone; answers how many. Call after outbox.start().
   */
  recover: () => Promise<number>;
  /** Serves the `listen` audio WebSocket on the node's HTTP server. */
  attach: (server: Server) => void;
  /**
   * Serves jambonz's WebSocket API on its own port (config.MEDIA_NODE_WS_PORT unless given; 0 picks a free
   * one); null when no credentials are configured (JAMBONZ_WS_PASSWORD), which keeps it off.
   */
  startWebSocketApi: (options?: { port?: number; hostname?: string }) => Promise<WsApiServer | null>;
};

/** The media node: its HTTP surface plus the state the audio WebSocket shares with it. */
export function createMediaNode(options: MediaNodeOptions = {}): MediaNode {
  const config = options.config ?? readMediaNodeEnv({});
  const outboxFile =
    options.outboxFile !== undefined ? options.outboxFile : options.config ? config.MEDIA_NODE_OUTBOX : null;
  const edge = new EdgeClient({ edgeUrl: config.EDGE_URL, secret: config.INTERNAL_API_SECRET, fetch: options.fetch });
  const outbox = new Outbox({ file: outboxFile, client: edge, ...options.retry, log: options.log });
  const registry = new CallRegistry({ now: options.now });
  const dials = new DialBook({ file: outboxFile ? `${outboxFile}.dials.jsonl` : null, now: options.now });
  const unsettled = dials.load();
  resumeDials(unsettled, registry);
  const reporter = new CallReporter(outbox, edge);
  const urls = hookUrls(config.PUBLIC_URL);
  const conversationDeps = {
    edge,
    reporter,
    registry,
    now: options.now,
    log: options.log,
    onStatus: (call: LiveCall, status: ReportedCallStatus, final: boolean) => dials.noteStatus(call.tag, status, final),
  };
  const conversation = new Conversation({ ...conversationDeps, urls });
  // The same conversation over jambonz's WebSocket API: its verbs name hooks the socket sends back.
  const wsUrls = wsHookUrls(urls.listen);
  const wsConversation = new Conversation({ ...conversationDeps, urls: wsUrls });
  const wsCredentials: WsCredentials | null = config.JAMBONZ_WS_PASSWORD
    ? { username: config.JAMBONZ_WS_USERNAME, password: config.JAMBONZ_WS_PASSWORD }
    : null;
  const placementUrls =
    config.JAMBONZ_HOOK_TRANSPORT === "websocket" && wsCredentials
      ? wsPlacementUrls(wsApplicationUrl(config.PUBLIC_WS_URL, wsCredentials), wsUrls)
      : urls;
  const account = {
    apiUrl: config.JAMBONZ_API_URL,
    accountSid: config.JAMBONZ_ACCOUNT_SID,
    apiKey: config.JAMBONZ_API_KEY,
  };
  const lookup = options.lookupCall ?? jambonzCallLookup(account);
  const log = options.log ?? ((message: string) => console.warn(`media-node: ${message}`));
  const placeCall =
    options.placeCall ??
    jambonzCallPlacer(
      {
        apiUrl: config.JAMBONZ_API_URL,
        accountSid: config.JAMBONZ_ACCOUNT_SID,
        apiKey: config.JAMBONZ_API_KEY,
        defaultFrom: config.JAMBONZ_FROM,
      },
      placementUrls,
    );

  const app = healthApp(options);
  registerInternalApi(app, { secret: config.INTERNAL_API_SECRET, placeCall, registry, dials });
  registerJambonzHooks(app, conversation, config.JAMBONZ_WEBHOOK_SECRET);
  return {
    app,
    outbox,
    registry,
    dials,
    config,
    recover: () => settleResumedDials(unsettled, { book: dials, registry, reporter, lookup, log }),
    attach: (server) => {
      attachListenServer(server, { outbox, isLiveCall: (callId) => registry.isLive(callId), log: options.log });
    },
    startWebSocketApi: async (listenOn = {}) => {
      if (!wsCredentials) return null;
      return startWsApi({
        conversation: wsConversation,
        credentials: wsCredentials,
        port: listenOn.port ?? config.MEDIA_NODE_WS_PORT,
        hostname: listenOn.hostname ?? "127.0.0.1",
        log: (line) => log(`ws api: ${line}`),
      });
    },
  };
}

/** The media node's HTTP app. Uptime counts from the app's creation, not the process's. */
export function createMediaNodeApp(options: MediaNodeOptions = {}): Hono {
  return createMediaNode(options).app;
}

function healthApp(options: MediaNodeOptions): Hono {
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
