import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger, Middleware, WsMessage, WsResponse } from "@jambonz/sdk";
import { createEndpoint } from "@jambonz/sdk/websocket";
import type { RawData, WebSocket } from "ws";
import type { Conversation } from "../calls/conversation.js";
import type { HookPayload } from "../calls/registry.js";
import type { HookUrls, Verbs } from "../calls/verbs.js";

/**
 * jambonz's WebSocket API (`ws.jambonz.org`): the same conversation as the webhooks in jambonz/webhooks.ts, over
 * one socket per call that jambonz opens to the application URL. This adapter only translates messages:
 *   session:new          → Conversation.answer, acked with the verbs
 *   verb:hook            → the hook named by `hook` (HOOKS below: call after the AMD wait, gather, amd,
 *                          continue), acked with its verbs
 *   session:redirect     → the same, for a redirect to a ws application
 *   call:status          → Conversation.status (a notification: jambonz wants no ack)
 *
 * Authentication: jambonz cannot sign WebSocket messages (no Jambonz-Signature), but it sends HTTP basic auth
 * on the upgrade when the application's URL carries a username and password (the portal's fields, or
 * `ws://user:password@host/...`). The endpoint only serves when credentials are configured, and refuses any
 * upgrade without them (401) or without the `ws.jambonz.org` subprotocol (400).
 */

export const JAMBONZ_WS_SUBPROTOCOL = "ws.jambonz.org";
/** The application URL's path on the WebSocket API's port. */
export const WS_API_PATH = "/jambonz/ws";

/** What the adapter needs of a Conversation. */
export type ConversationHooks = Pick<Conversation, "answer" | "status" | "gather" | "amd" | "continue" | "partial">;
/** Verbs to ack with, or undefined for an ack without verbs (a hook whose answer jambonz ignores). */
type HookHandler = (
  conversation: ConversationHooks,
  payload: HookPayload,
  query: URLSearchParams,
) => Promise<Verbs | undefined>;

/** actionHook names: over the socket an actionHook is a name jambonz sends back as `verb:hook`'s `hook`. */
const WS_HOOK = { call: "/call", gather: "/gather", amd: "/amd", continue: "/continue", partial: "/partial" } as const;

/** One line per hook: jambonz's `hook` (without its query) → the conversation step that answers it. */
const HOOKS: Record<string, HookHandler> = {
  [WS_HOOK.call]: (conversation, payload, query) =>
    conversation.answer(payload, { afterAmdWait: query.get("after") === "amd-wait" }),
  [WS_HOOK.gather]: (conversation, payload) => conversation.gather(payload),
  [WS_HOOK.amd]: (conversation, payload) => conversation.amd(payload),
  [WS_HOOK.continue]: (conversation, payload) => conversation.continue(payload),
  [WS_HOOK.partial]: async (conversation, payload) => {
    conversation.partial(payload);
    return undefined;
  },
};

/**
 * The hooks a conversation over the socket puts in its verbs: relative names, which jambonz sends over the
 * same socket (an absolute http URL would go out as a webhook). The audio stream keeps its own ws URL.
 */
export function wsHookUrls(listen: HookUrls["listen"]): HookUrls {
  // Statuses come as `call:status` messages, never through a hook; the name is only a placeholder.
  return {
    call: WS_HOOK.call,
    gather: WS_HOOK.gather,
    amd: WS_HOOK.amd,
    continue: WS_HOOK.continue,
    partial: WS_HOOK.partial,
    status: "/status",
    listen,
  };
}

/**
 * What outbound calls are placed with: the application URL as call hook, and as status hook too (jambonz sends
 * every status of a ws application over its socket); AMD events come back by name.
 */
export function wsPlacementUrls(applicationUrl: string, hooks: HookUrls): HookUrls {
  return { ...hooks, call: applicationUrl, status: applicationUrl };
}

export type WsCredentials = { username: string; password: string };

/** The application URL jambonz dials for outbound calls: the credentials ride in it as basic auth. */
export function wsApplicationUrl(publicWsUrl: string, credentials: WsCredentials): string {
  const url = new URL(`${publicWsUrl.replace(/\/+$/, "")}${WS_API_PATH}`);
  url.username = credentials.username;
  url.password = credentials.password;
  return url.toString();
}

/** One message from jambonz → the ack to send back (null: nothing to send). Never throws for a bad hook. */
export async function answerMessage(
  conversation: ConversationHooks,
  message: WsMessage,
  log: (line: string) => void,
): Promise<WsResponse | null> {
  const payload = isObject(message.data) ? (message.data as HookPayload) : {};
  switch (message.type) {
    case "session:new":
      return ack(message, await conversation.answer(payload));
    case "verb:hook":
    case "session:redirect":
      return ack(message, await runHook(conversation, message.hook, payload, log));
    case "session:reconnect":
      // jambonz reconnected and re-sends the session; the call goes on where it was.
      return { type: "ack", msgid: message.msgid };
    case "call:status":
      conversation.status(payload);
      return null;
    case "jambonz:error":
      log(`jambonz reported an error on call ${message.call_sid ?? "?"}: ${JSON.stringify(message.data)}`);
      return null;
    default:
      return null;
  }
}

async function runHook(
  conversation: ConversationHooks,
  hook: string | undefined,
  payload: HookPayload,
  log: (line: string) => void,
): Promise<Verbs | undefined> {
  const url = new URL(hook ?? "", "ws://hook");
  const handler = HOOKS[url.pathname];
  if (!handler) {
    log(`no hook named ${JSON.stringify(hook)}; acked without verbs`);
    return undefined;
  }
  return handler(conversation, payload, url.searchParams);
}

/** Each ack names its own msgid: several hooks can be in flight at once (AMD events during a slow turn). */
function ack(message: WsMessage, verbs: Verbs | undefined): WsResponse {
  return verbs === undefined
    ? { type: "ack", msgid: message.msgid }
    : { type: "ack", msgid: message.msgid, data: verbs };
}

export type UpgradeRefusal = { status: 400 | 401; reason: string };

/** Why an upgrade is refused, or null when it offers the subprotocol and the right basic-auth credentials. */
export function upgradeRefusal(headers: IncomingMessage["headers"], credentials: WsCredentials): UpgradeRefusal | null {
  const offered = String(headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((protocol) => protocol.trim());
  if (!offered.includes(JAMBONZ_WS_SUBPROTOCOL)) {
    return { status: 400, reason: `the ${JAMBONZ_WS_SUBPROTOCOL} subprotocol is required` };
  }
  const presented = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? "")?.[1];
  const expected = `${credentials.username}:${credentials.password}`;
  if (!presented || !sameSecret(Buffer.from(presented, "base64").toString("utf8"), expected)) {
    return { status: 401, reason: "basic auth credentials are missing or wrong" };
  }
  return null;
}

function sameSecret(a: string, b: string): boolean {
  // Digests have equal lengths, so the comparison time says nothing about the secret's length.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export type WsApiOptions = {
  conversation: ConversationHooks;
  credentials: WsCredentials;
  port: number;
  hostname: string;
  log: (line: string) => void;
};

export type WsApiServer = { port: number; close: () => Promise<void> };

/**
 * Serves the WebSocket API on its own HTTP server: the SDK's endpoint answers every plain request itself
 * (405), so it cannot share the node's Hono server. Resolves once it listens.
 */
export async function startWsApi(options: WsApiOptions): Promise<WsApiServer> {
  const server = createServer();
  const sockets = new Set<WebSocket>();
  const makeService = createEndpoint({
    server,
    logger: sdkLogger(options.log),
    middlewares: [admitOnly(options.credentials, options.log)],
  });
  const service = makeService({ path: WS_API_PATH });
  // The SDK's Session acks with the msgid of the latest message it saw, which is wrong when hooks overlap,
  // so each connection is read here, message by message, with the SDK's message types.
  service.handle = (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveSocket(socket, options);
  };
  const port = await listen(server, options.port, options.hostname);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.terminate();
        server.close(() => resolve());
      }),
  };
}

function serveSocket(socket: WebSocket, options: WsApiOptions): void {
  socket.on("message", (raw: RawData, isBinary: boolean) => {
    const message = isBinary ? null : parseMessage(raw);
    if (!message) {
      options.log("ignored a message that is not a jambonz JSON message");
      return;
    }
    answerMessage(options.conversation, message, options.log).then(
      (response) => {
        if (response && socket.readyState === socket.OPEN) socket.send(JSON.stringify(response));
      },
      (error: unknown) => options.log(`${message.type} ${message.msgid} failed: ${String(error)}`),
    );
  });
}

function parseMessage(raw: RawData): WsMessage | null {
  try {
    const message = JSON.parse(Buffer.isBuffer(raw) ? raw.toString("utf8") : String(raw)) as unknown;
    if (isObject(message) && typeof message.type === "string" && typeof message.msgid === "string") {
      return message as unknown as WsMessage;
    }
  } catch {
    // falls through
  }
  return null;
}

/** Refuses with a real HTTP answer on the raw socket; not calling `next` leaves the SDK nothing to do. */
function admitOnly(credentials: WsCredentials, log: (line: string) => void): Middleware {
  return (request, _response, next) => {
    const refusal = upgradeRefusal(request.headers, credentials);
    if (!refusal) {
      next();
      return;
    }
    log(`refused a WebSocket upgrade: ${refusal.reason}`);
    const head = refusal.status === 401 ? "401 Unauthorized" : "400 Bad Request";
    const challenge = refusal.status === 401 ? 'WWW-Authenticate: Basic realm="jambonz"\r\n' : "";
    request.socket.end(`HTTP/1.1 ${head}\r\n${challenge}Connection: close\r\nContent-Length: 0\r\n\r\n`);
  };
}

function sdkLogger(log: (line: string) => void): Logger {
  return { info: () => {}, debug: () => {}, error: (...args: unknown[]) => log(args.map(String).join(" ")) };
}

function listen(server: Server, port: number, hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve((server.address() as AddressInfo).port));
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
