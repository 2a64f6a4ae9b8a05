import { Client, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type EmbeddedDatabase, startEmbeddedDatabase } from "./embedded-db.js";
import { startWsBridge, type WsBridge } from "./ws-bridge.js";

const WAIT_MS = 400;

describe("WebSocket bridge (the local stand-in for Neon's proxy)", () => {
  let database: EmbeddedDatabase;
  let bridge: WsBridge;

  beforeAll(async () => {
    database = await startEmbeddedDatabase({});
    bridge = await startWsBridge({ maxSessions: 1, sessionWaitMs: WAIT_MS });
    neonConfig.webSocketConstructor = WebSocket;
    neonConfig.wsProxy = (host, port) => `${bridge.url}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  });

  afterAll(async () => {
    await bridge.stop();
    await database.stop();
  });

  const client = () => new Client({ connectionString: database.url });

  it("queues a client beyond the session cap until a session ends", async () => {
    const first = client();
    await first.connect();
    const second = client();
    const secondConnected = second.connect();
    await waitFor(() => bridge.stats().waiting === 1);
    expect(bridge.stats()).toMatchObject({ active: 1, waiting: 1 });
    await first.end();
    await secondConnected;
    const { rows } = await second.query("select 41 + 1 as answer");
    expect(rows).toEqual([{ answer: 42 }]);
    await second.end();
  });

  it("refuses a client that waited too long with the error of a server out of connections", async () => {
    const holder = client();
    await holder.connect();
    try {
      const refusedBefore = bridge.stats().refused;
      const error = await client()
        .connect()
        .then(
          () => null,
          (failure: unknown) => failure,
        );
      expect(error).toMatchObject({ code: "53300" });
      expect(bridge.stats().refused).toBe(refusedBefore + 1);
      // The session holder was never disturbed.
      expect((await holder.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await holder.end();
    }
    await waitFor(() => bridge.stats().active === 0);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 200) throw new Error("condition not met in 2 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
