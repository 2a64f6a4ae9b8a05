import { startEmbeddedDatabase } from "../../schema/src/local/embedded-db.js";
import { startWsBridge } from "../../schema/src/local/ws-bridge.js";

/**
 * The database side of a bench stack in a process of its own: the WebSocket bridge the worker's driver uses,
 * and an in-memory embedded PGlite unless `--bridge-only` (a server at DATABASE_URL instead). A bench that
 * measures its own event loop (the media node's time per hook) then does not also carry every database
 * byte. Prints `{"url"?, "wsProxy"}` as its first line.
 */
const bridgeOnly = process.argv.includes("--bridge-only");
const database = bridgeOnly ? null : await startEmbeddedDatabase({});
const bridge = await startWsBridge();
console.log(JSON.stringify({ ...(database ? { url: database.url } : {}), wsProxy: bridge.url }));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void Promise.all([bridge.stop(), database?.stop()]).finally(() => process.exit(0)));
}
