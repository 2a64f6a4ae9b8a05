import { startEmbeddedDatabase } from "../../schema/src/local/embedded-db.js";

/**
 * An in-memory embedded PGlite in a process of its own, so a bench that measures its own event loop (the
 * media node's time per hook) does not also carry the database's work. Prints its URL as the first line.
 */
const database = await startEmbeddedDatabase({});
console.log(database.url);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void database.stop().finally(() => process.exit(0)));
}
