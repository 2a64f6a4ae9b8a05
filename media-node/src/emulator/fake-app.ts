import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebhookResponse } from "@jambonz/sdk/webhook";
import { type WebSocket, WebSocketServer } from "ws";
import { AUDIO_SUBPROTOCOL } from "./audio.js";
import { isValidWebhookSignature } from "./signature.js";

/**
 * Test support: a tiny jambonz application. It records every webhook, checks its `Jambonz-Signature` with both
 * @jambonz/sdk's verifier and ours, answers hooks through `respond`, and accepts audio forks on `/audio`.
 */

export type ReceivedHook = {
  path: string;
  payload: Record<string, unknown>;
  signatureValid: boolean;
  sdkSignatureValid: boolean;
};

export type ReceivedAudio = {
  protocol: string;
  metadata: Record<string, unknown> | undefined;
  frames: Buffer[];
  socket: WebSocket;
};

export type HookResponder = (path: string, payload: Record<string, unknown>) => unknown;

export class FakeJambonzApp {
  readonly hooks: ReceivedHook[] = [];
  readonly audio: ReceivedAudio[] = [];
  /** Whatever it returns is sent back as JSON (undefined: an empty 200). */
  respond: HookResponder = () => undefined;
  /** Closes each audio fork after this many frames (undefined: keep it open). */
  closeAudioAfterFrames: number | undefined;
  private server: Server | undefined;
  private sockets: WebSocketServer | undefined;
  url = "";

  constructor(private readonly secret: string) {}

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      void this.handle(request).then(
        (body) => {
          if (body === undefined) {
            response.writeHead(200).end();
            return;
          }
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
        },
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    });
    const sockets = new WebSocketServer({
      server,
      path: "/audio",
      handleProtocols: (protocols) => (protocols.has(AUDIO_SUBPROTOCOL) ? AUDIO_SUBPROTOCOL : false),
    });
    sockets.on("connection", (socket) => this.acceptAudio(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.sockets = sockets;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const client of this.sockets?.clients ?? []) client.terminate();
    this.sockets?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  hooksFor(callSid: string, path?: string): ReceivedHook[] {
    return this.hooks.filter((hook) => hook.payload.call_sid === callSid && (path === undefined || hook.path === path));
  }

  private async handle(request: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const header = request.headers["jambonz-signature"] as string | undefined;
    const hook: ReceivedHook = {
      path: new URL(request.url ?? "/", this.url).pathname,
      payload: JSON.parse(raw) as Record<string, unknown>,
      signatureValid: isValidWebhookSignature(this.secret, header, raw),
      sdkSignatureValid: sdkAccepts(this.secret, request.headers, raw),
    };
    this.hooks.push(hook);
    return this.respond(hook.path, hook.payload);
  }

  private acceptAudio(socket: WebSocket): void {
    const received: ReceivedAudio = { protocol: socket.protocol, metadata: undefined, frames: [], socket };
    this.audio.push(received);
    socket.on("message", (data, isBinary) => {
      if (!isBinary) {
        received.metadata = JSON.parse(data.toString()) as Record<string, unknown>;
        return;
      }
      received.frames.push(data as Buffer);
      if (this.closeAudioAfterFrames !== undefined && received.frames.length === this.closeAudioAfterFrames) {
        socket.close(1000);
      }
    });
  }
}

/** Runs @jambonz/sdk's Express-style verifier against the raw request. */
function sdkAccepts(secret: string, headers: IncomingMessage["headers"], body: string): boolean {
  let accepted = false;
  const middleware = WebhookResponse.verifySignature(secret) as unknown as (
    request: { headers: IncomingMessage["headers"]; body: string },
    response: unknown,
    next: (error?: unknown) => void,
  ) => void;
  middleware({ headers, body }, {}, (error) => {
    accepted = error === undefined;
  });
  return accepted;
}

/** Polls until `check` returns something truthy; tests then assert on the result, never on timing. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
