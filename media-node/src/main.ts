import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { readMediaNodeEnv } from "./env.js";
import { WS_API_PATH } from "./jambonz/ws-api.js";
import { createMediaNode } from "./server.js";

const HOST = "127.0.0.1";
const SHUTDOWN_GRACE_MS = 5_000;

const env = readMediaNodeEnv();
const node = createMediaNode({ config: env });
const replayed = node.outbox.start();
if (replayed > 0) console.log(`media-node: replaying ${replayed} unsent report(s) to the edge`);
void node.recover().then((ended) => {
  if (ended > 0) console.log(`media-node: ${ended} call(s) ended while the node was down; reported to the edge`);
});
if (!env.INTERNAL_API_SECRET) console.warn("media-node: INTERNAL_API_SECRET is not set; the internal API is off");

const server = serve({ fetch: node.app.fetch, hostname: HOST, port: env.MEDIA_NODE_PORT }, (info) => {
  console.log(
    `media-node listening on http://${HOST}:${info.port} (edge: ${env.EDGE_URL}, jambonz: ${env.JAMBONZ_API_URL}, hooks: ${env.PUBLIC_URL}/jambonz/*)`,
  );
});
node.attach(server as Server);
const wsApi = node.startWebSocketApi({ hostname: HOST }).then(
  (running) => {
    if (running) {
      console.log(
        `media-node: jambonz WebSocket API on ws://${HOST}:${running.port}${WS_API_PATH} (public: ${env.PUBLIC_WS_URL}; outbound hooks: ${env.JAMBONZ_HOOK_TRANSPORT})`,
      );
    } else console.log("media-node: JAMBONZ_WS_PASSWORD is not set; the jambonz WebSocket API is off");
    return running;
  },
  (error: unknown) => {
    console.error(`media-node: the jambonz WebSocket API did not start: ${String(error)}`);
    return null;
  },
);

let stopping = false;

/** Stops accepting connections, lets open requests finish, and gives up after a grace period. */
function shutdown(): void {
  if (stopping) return;
  stopping = true;
  // What is still unsent stays in the outbox file for the next start.
  node.outbox.stop();
  void wsApi.then((running) => running?.close());
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
}

process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
