import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { startEmulatorServer } from "../../media-node/src/emulator/emulator.js";
import { readMediaNodeEnv } from "../../media-node/src/env.js";
import { createMediaNode, type MediaNode } from "../../media-node/src/server.js";
import { freePort } from "./ports.js";

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
}) {
  let running: { node: MediaNode; server: Server } | null = null;
  let recovery: Promise<number> = Promise.resolve(0);
  return {
    /** How many calls the latest start found ended while no node was listening (see MediaNode.recover). */
    get recovered(): Promise<number> {
      return recovery;
    },
    get node(): MediaNode | null {
      return running?.node ?? null;
    },
    /** Starts a fresh node (replaying the outbox, recovering its dials); resolves once it listens. */
    async start(): Promise<MediaNode> {
      const node = createMediaNode({
        config: readMediaNodeEnv({
          MEDIA_NODE_PORT: String(options.port),
          EDGE_URL: options.edgeUrl,
          INTERNAL_API_SECRET: options.internalApiSecret,
          JAMBONZ_API_URL: options.jambonzApiUrl,
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
      running = { node, server };
      recovery = node.recover();
      return node;
    },
    /** Stops without draining: what is unsent stays in the outbox file. */
    async crash(): Promise<void> {
      const current = running;
      running = null;
      if (!current) return;
      current.node.outbox.stop();
      current.server.closeAllConnections();
      await new Promise<void>((done) => current.server.close(() => done()));
    },
  };
}
