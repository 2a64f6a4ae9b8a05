import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { startEmulatorServer } from "../../media-node/src/emulator/emulator.js";
import { readMediaNodeEnv } from "../../media-node/src/env.js";
import { createMediaNode } from "../../media-node/src/server.js";
import { freePort } from "./ports.js";

/** Simulated seconds per real second in tests: a two-minute call lasts about a second. */
export const TEST_EMULATOR_SPEED = 120;

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
      const node = createMediaNode({
        config: readMediaNodeEnv({
          MEDIA_NODE_PORT: String(mediaNodePort),
          EDGE_URL: edgeUrl,
          INTERNAL_API_SECRET: internalApiSecret,
          JAMBONZ_API_URL: emulator.url,
        }),
        outboxFile: null,
        retry: { baseDelayMs: 100, maxDelayMs: 2_000 },
      });
      node.outbox.start();
      const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        const started = serve({ fetch: node.app.fetch, hostname: "127.0.0.1", port: mediaNodePort }, () =>
          resolve(started),
        );
      });
      node.attach(server as Server);
      stops.push(async () => {
        node.outbox.stop();
        await new Promise<void>((done) => server.close(() => done()));
      });
    },
  };
}
