import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { startEmulatorServer } from "../../media-node/src/emulator/emulator.js";
import { readMediaNodeEnv } from "../../media-node/src/env.js";
import type { WsApiServer } from "../../media-node/src/jambonz/ws-api.js";
import { createMediaNode, type MediaNode } from "../../media-node/src/server.js";
import { freePort } from "./ports.js";
import { startThrowawayEdge } from "./throwaway-edge.js";

/** Simulated seconds per real second in tests: a one-minute call lasts about a second. */
export const TEST_EMULATOR_SPEED = 60;

/**
 * The telephony side of the test stack, in this process: the jambonz emulator and the media node
 * (jambonz SDK client, signed hooks, listen WebSocket), wired to the edge at `edgeUrl()`.
 * The media node's port is reserved first because the edge must know it before it starts.
 */
export async function startCallStack(stops: Array<() => Promise<void>>) {
  const emulator = await startEmulatorServer({ speed: TEST_EMULATOR_SPEED });
  stops.push(emulator.close);
  const mediaNodePort = await freePort();
  const mediaNodeUrl = `http://127.0.0.1:${mediaNodePort}`;
  return {
    emulatorUrl: emulator.url,
    mediaNodeUrl,
    /** Starts the media node once the edge's URL and the shared secret are known. */
    async startMediaNode(edgeUrl: string, internalApiSecret: string): Promise<void> {
      const node = mediaNodeProcess({
        port: mediaNodePort,
        edgeUrl,
        internalApiSecret,
        jambonzApiUrl: emulator.url,
        outboxFile: null,
      });
      await node.start();
      stops.push(node.crash);
    },
  };
}

export type MediaNodeProcessOptions = Parameters<typeof mediaNodeProcess>[0];

/**
 * A test file's own chain beside the shared one, so it can reconfigure or crash its media node: an emulator,
 * a worker (on the shared database) whose MEDIA_NODE_URL is a media node in this process, and that node,
 * started. Each part pushes its stop onto `stops`.
 */
export async function startOwnCallChain(options: {
  databaseUrl: string;
  apiPassword: string;
  internalApiSecret: string;
  stops: Array<() => Promise<void>>;
  node: Pick<MediaNodeProcessOptions, "outboxFile" | "log" | "websocket">;
  /** Simulated seconds per real second; TEST_EMULATOR_SPEED unless a test needs calls it can watch. */
  emulatorSpeed?: number;
}) {
  const emulator = await startEmulatorServer({ speed: options.emulatorSpeed ?? TEST_EMULATOR_SPEED, log: () => {} });
  options.stops.push(emulator.close);
  const port = await freePort();
  const edgeUrl = await startThrowawayEdge({
    databaseUrl: options.databaseUrl,
    apiPassword: options.apiPassword,
    internalApiSecret: options.internalApiSecret,
    mediaNodeUrl: `http://127.0.0.1:${port}`,
    environment: "test",
    stops: options.stops,
  });
  const node = mediaNodeProcess({
    port,
    edgeUrl,
    internalApiSecret: options.internalApiSecret,
    jambonzApiUrl: emulator.url,
    ...options.node,
  });
  options.stops.push(() => node.crash());
  await node.start();
  return { edgeUrl, emulatorUrl: emulator.url, node };
}

/**
 * A media node in this process that can be crashed and started again on the same port and outbox file,
 * as a restarted process would be: `crash` closes the server and stops the outbox without draining it.
 */
export function mediaNodeProcess(options: {
  port: number;
  edgeUrl: string;
  internalApiSecret: string;
  jambonzApiUrl: string;
  outboxFile: string | null;
  log?: (message: string) => void;
  /** Also serves jambonz's WebSocket API (on a free port unless given), with these credentials. */
  websocket?: { password: string; port?: number; hookTransport?: "webhook" | "websocket" };
}) {
  let running: { node: MediaNode; server: Server; wsApi: WsApiServer | null } | null = null;
  let wsPort = options.websocket?.port ?? 0;
  let recovery: Promise<number> = Promise.resolve(0);
  return {
    /** How many calls the latest start found ended while no node was listening (see MediaNode.recover). */
    get recovered(): Promise<number> {
      return recovery;
    },
    get node(): MediaNode | null {
      return running?.node ?? null;
    },
    /** ws:// base URL of the WebSocket API once started (the same port across restarts). */
    get wsUrl(): string | null {
      return running?.wsApi ? `ws://127.0.0.1:${running.wsApi.port}` : null;
    },
    /** Starts a fresh node (replaying the outbox, recovering its dials); resolves once it listens. */
    async start(): Promise<MediaNode> {
      // Outbound hooks name the WebSocket API's port, so it is reserved before the node is configured.
      if (options.websocket && wsPort === 0) wsPort = await freePort();
      const node = createMediaNode({
        config: readMediaNodeEnv({
          MEDIA_NODE_PORT: String(options.port),
          EDGE_URL: options.edgeUrl,
          INTERNAL_API_SECRET: options.internalApiSecret,
          JAMBONZ_API_URL: options.jambonzApiUrl,
          ...(options.websocket ? websocketEnv(options.websocket, wsPort) : {}),
        }),
        outboxFile: options.outboxFile,
        retry: { baseDelayMs: 100, maxDelayMs: 2_000 },
        log: options.log,
      });
      node.outbox.start();
      const server = await new Promise<Server>((resolve) => {
        const started = serve({ fetch: node.app.fetch, hostname: "127.0.0.1", port: options.port }, () =>
          resolve(started as Server),
        );
      });
      node.attach(server);
      const wsApi = options.websocket ? await node.startWebSocketApi({ port: wsPort }) : null;
      running = { node, server, wsApi };
      recovery = node.recover();
      return node;
    },
    /** Stops without draining: what is unsent stays in the outbox file. */
    async crash(): Promise<void> {
      const current = running;
      running = null;
      if (!current) return;
      current.node.outbox.stop();
      await current.wsApi?.close();
      current.server.closeAllConnections();
      await new Promise<void>((done) => current.server.close(() => done()));
    },
  };
}

function websocketEnv(websocket: { password: string; hookTransport?: string }, port: number): Record<string, string> {
  return {
    JAMBONZ_WS_PASSWORD: websocket.password,
    JAMBONZ_HOOK_TRANSPORT: websocket.hookTransport ?? "webhook",
    MEDIA_NODE_WS_PORT: String(port),
  };
}
