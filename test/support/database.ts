import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";

/** A client on the shared test database; the caller ends it. */
export async function connectDatabase(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
  return client;
}

/**
 * One client on the shared test database for the file, or for the describe block that calls this: connected
 * before the hooks registered after this call run, ended after theirs. The getter throws outside that span.
 */
export function useDatabase(): () => pg.Client {
  let client: pg.Client | undefined;
  beforeAll(async () => {
    client = await connectDatabase();
  });
  afterAll(async () => {
    await client?.end();
  });
  return () => {
    if (!client) throw new Error("no database client: useDatabase() gives one only while its hooks are in force");
    return client;
  };
}

/** The first row a statement returns; a statement that returns none is a broken fixture. */
export async function firstRow<T>(client: pg.Client, text: string, values: unknown[] = []): Promise<T> {
  const { rows } = await client.query(text, values);
  if (!rows[0]) throw new Error(`nothing returned by: ${text}`);
  return rows[0] as T;
}

/**
 * Opens the campaign's calling window tomorrow, so the dialer leaves its calls alone while the campaign
 * runs: for tests that set call outcomes themselves or count pending calls after a start.
 */
export async function holdDialling(client: pg.Client, campaignNumber: number): Promise<void> {
  await client.query("update campaigns set window_starts_at = now() + interval '1 day' where number = $1", [
    campaignNumber,
  ]);
}
