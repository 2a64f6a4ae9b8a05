import { randomBytes } from "node:crypto";
import pg from "pg";
import { startEmbeddedDatabase } from "../../schema/src/local/embedded-db.js";

export type ScratchDatabase = { url: string; label: string; stop: () => Promise<void> };

/**
 * An empty database nobody else uses. With DATABASE_URL set: a new database on that server,
 * dropped on stop. Otherwise: an in-memory embedded PGlite.
 */
export async function createScratchDatabase(serverUrl = process.env.DATABASE_URL): Promise<ScratchDatabase> {
  if (!serverUrl) {
    const embedded = await startEmbeddedDatabase({});
    return { url: embedded.url, label: "embedded PGlite (in memory)", stop: embedded.stop };
  }
  // Only [a-z0-9_], so it is safe to interpolate as an identifier.
  const name = `switchboard_test_${randomBytes(6).toString("hex")}`;
  await runAdminStatement(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    label: `${name} on ${url.host}`,
    stop: () => runAdminStatement(serverUrl, `drop database if exists ${name} with (force)`),
  };
}

async function runAdminStatement(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
