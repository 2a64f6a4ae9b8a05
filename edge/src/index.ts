import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { RequestDatabase } from "./db/client.js";
import { readEnv } from "./env.js";

const app = new Hono<{ Bindings: Record<string, unknown> }>();
app.get("/", async (c) => {
  const database = new RequestDatabase(readEnv(c.env));
  const rows = await database.db.execute(sql`select count(*)::int as n from organisations`);
  c.executionCtx.waitUntil(database.close());
  return c.json(rows.rows);
});
export default app;
