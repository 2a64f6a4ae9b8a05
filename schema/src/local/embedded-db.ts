import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { WireQueue } from "./wire-queue.js";

/** Neon's pooler takes 10,000 client connections; a default PostgreSQL takes 100. */
const EMBEDDED_MAX_CONNECTIONS = 1_000;

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

/**
 * PGlite served over the Postgres wire protocol. `dataDir` persists across restarts;
 * omit it for a throwaway in-memory database.
 */
export async function startEmbeddedDatabase(options: { dataDir?: string; port?: number }): Promise<EmbeddedDatabase> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? "memory://");
  // PGlite has one backend; the multiplexer lets several clients queue on it. A connection costs only a
  // socket here, and the edge opens one per request, so the cap is set for hundreds of calls in flight.
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: options.port ?? 0,
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });
  // Handlers take the server's queue when a client connects; ours keeps each client's statements together.
  (server as unknown as { queryQueue: WireQueue }).queryQueue = new WireQueue(db);
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres:postgres@${address}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
