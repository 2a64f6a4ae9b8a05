import { serve } from "@hono/node-server";
import { readMediaNodeEnv } from "./env.js";
import { createMediaNodeApp } from "./server.js";

const HOST = "127.0.0.1";
const SHUTDOWN_GRACE_MS = 5_000;

const env = readMediaNodeEnv();
const server = serve({ fetch: createMediaNodeApp().fetch, hostname: HOST, port: env.MEDIA_NODE_PORT }, (info) => {
  console.log(`media-node listening on http://${HOST}:${info.port} (edge: ${env.EDGE_URL})`);
});

let stopping = false;

/** Stops accepting connections, lets open requests finish, and gives up after a grace period. */
function shutdown(): void {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
}

process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
