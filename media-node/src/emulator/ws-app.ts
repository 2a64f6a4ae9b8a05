import { randomBytes } from "node:crypto";
import type { WsResponse } from "@jambonz/sdk";
import WebSocket from "ws";
import type { Hook } from "./webhooks.js";

/**
 * The emulator's side of jambonz's WebSocket API, as feature-server's WsRequestor does it: one socket per call to
 * the application URL with the `ws.jambonz.org` subprotocol (basic auth from the hook's username/password or the
 * URL's userinfo), opened by the first message. `session:new`, `session:redirect` and `verb:hook` wait for an
 * `ack` with the same msgid (whose `data` is the verbs); `call:status` is a notification. The app may also send
 * `command` messages at any time.
 */
export const JAMBONZ_WS_SUBPROTOCOL = "ws.jambonz.org";
/** jambonz's defaults: JAMBONES_WS_HANDSHAKE_TIMEOUT_MS and JAMBONES_WS_API_MSG_RESPONSE_TIMEOUT. */
const HANDSHAKE_TIMEOUT_MS = 1_500;
const ACK_TIMEOUT_MS = 5_000;
/** jambonz's MAX_RECONNECTS. */
const MAX_CONNECT_ATTEMPTS = 5;

export type WsRequestType = "session:new" | "session:redirect" | "verb:hook";
export type WsCommand = { command: string; data: unknown; queueCommand: boolean };

export class WsAppError extends Error {}

type Pending = { resolve: (data: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

export class WsApp {
  private connection: Promise<WebSocket> | undefined;
  /** The URL for messages, without its credentials. */
  private readonly label: string;
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  private attempts = 0;

  constructor(
    private readonly hook: Hook,
    private readonly options: {
      callSid: string;
      onCommand: (command: WsCommand) => void;
      onError: (message: string) => void;
    },
  ) {
    const url = new URL(hook.url);
    url.username = "";
    url.password = "";
    this.label = url.toString();
  }

  /** Sends a message that wants an ack; resolves with the ack's `data` (undefined when it had none). */
  async request(type: WsRequestType, hook: string | undefined, data: Record<string, unknown>): Promise<unknown> {
    const socket = await this.connect();
    const msgid = randomBytes(16).toString("base64url");
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgid);
        reject(new WsAppError(`${type} ${hook ?? ""}: no ack from ${this.label} within ${ACK_TIMEOUT_MS} ms`));
      }, ACK_TIMEOUT_MS);
      this.pending.set(msgid, { resolve, reject, timer });
    });
    socket.send(JSON.stringify(this.envelope(type, msgid, hook, data)));
    return answer;
  }

  /** `call:status`: jambonz does not wait for an ack. */
  async notify(type: "call:status", data: Record<string, unknown>): Promise<void> {
    const socket = await this.connect();
    socket.send(JSON.stringify(this.envelope(type, randomBytes(16).toString("base64url"), undefined, data)));
  }

  /** The call is over: a normal closure, as jambonz closes it; unanswered messages fail. */
  close(): void {
    this.closed = true;
    this.failPending("the call ended");
    void this.connection?.then(
      (socket) => socket.close(1000),
      () => undefined,
    );
  }

  private envelope(type: string, msgid: string, hook: string | undefined, data: Record<string, unknown>) {
    return { type, msgid, call_sid: this.options.callSid, ...(hook !== undefined ? { hook } : {}), data };
  }

  /** The open socket, or a new attempt: like jambonz, a failed connection is tried again by the next message. */
  private connect(): Promise<WebSocket> {
    if (this.closed) return Promise.reject(new WsAppError("the call's socket is closed"));
    if (this.connection) return this.connection;
    if (this.attempts >= MAX_CONNECT_ATTEMPTS) {
      return Promise.reject(new WsAppError(`gave up connecting to ${this.label} after ${this.attempts} attempts`));
    }
    this.attempts += 1;
    const connecting = this.open();
    this.connection = connecting;
    connecting.catch(() => {
      if (this.connection === connecting) this.connection = undefined;
    });
    return connecting;
  }

  private open(): Promise<WebSocket> {
    return new Promise<WebSocket>((resolve, reject) => {
      let opened = false;
      const { username, password } = this.hook;
      const socket = new WebSocket(this.hook.url, [JAMBONZ_WS_SUBPROTOCOL], {
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        ...(username ? { auth: `${username}:${password ?? ""}` } : {}),
      });
      socket.once("open", () => {
        if (socket.protocol !== JAMBONZ_WS_SUBPROTOCOL) {
          socket.close(1002);
          reject(new WsAppError(`${this.label} did not accept the ${JAMBONZ_WS_SUBPROTOCOL} subprotocol`));
          return;
        }
        opened = true;
        resolve(socket);
      });
      socket.once("unexpected-response", (_request, response) => {
        reject(new WsAppError(`${this.label} refused the WebSocket: HTTP ${response.statusCode}`));
        socket.terminate();
      });
      socket.on("error", (error) => reject(new WsAppError(`${this.label}: ${error.message}`)));
      socket.on("message", (raw, isBinary) => this.receive(isBinary ? null : raw.toString()));
      socket.on("close", (code) => {
        if (opened && !this.closed) this.options.onError(`the app closed the socket (${code}) during the call`);
        this.failPending(`the socket closed (${code})`);
      });
    });
  }

  private receive(text: string | null): void {
    // Late acks after the call ended are dropped, as jambonz discards acks to messages it abandoned.
    if (this.closed) return;
    let message: WsResponse & { data?: unknown };
    try {
      message = JSON.parse(text ?? "") as WsResponse;
    } catch {
      this.options.onError("the app sent a message that is not JSON");
      return;
    }
    if (message.type === "ack" && typeof message.msgid === "string") {
      const waiting = this.pending.get(message.msgid);
      if (!waiting) {
        this.options.onError(`ack for unknown msgid ${message.msgid}`);
        return;
      }
      this.pending.delete(message.msgid);
      clearTimeout(waiting.timer);
      waiting.resolve(message.data);
    } else if (message.type === "command" && typeof message.command === "string") {
      this.options.onCommand({ command: message.command, data: message.data, queueCommand: !!message.queueCommand });
    } else {
      this.options.onError(`invalid message from the app: ${String(text).slice(0, 200)}`);
    }
  }

  private failPending(reason: string): void {
    for (const [msgid, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new WsAppError(`msgid ${msgid} abandoned: ${reason}`));
    }
    this.pending.clear();
  }
}

export function isWebSocketUrl(url: string): boolean {
  return /^wss?:\/\//i.test(url);
}
