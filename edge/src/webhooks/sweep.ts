import { webhookDeliveries } from "@switchboard/schema";
import { sql } from "drizzle-orm";
import { RequestDatabase } from "../db/client.js";
import type { AppEnv } from "../env.js";
import { kickWebhookDispatcher } from "./emit.js";

/** A pending delivery overdue by this much has lost its kick (or its dispatcher's alarm). */
const OVERDUE = "2 minutes";
const MAX_ORGANISATIONS_PER_SWEEP = 500;

/**
 * The safety net behind the after-commit kick (run by the cron trigger): a worker that died between its commit
 * and its kick leaves deliveries pending with no alarm to send them. Kicks the dispatcher of every organisation
 * with an overdue delivery; a dispatcher that is already on it just runs a little earlier.
 */
export async function kickOverdueDispatchers(env: AppEnv): Promise<number> {
  const database = new RequestDatabase(env);
  try {
    const result = await database.db.execute<{ org_id: string }>(sql`
      select distinct org_id from ${webhookDeliveries}
      where status = 'pending' and next_attempt_at <= now() - ${OVERDUE}::interval
      limit ${MAX_ORGANISATIONS_PER_SWEEP}`);
    await Promise.all(result.rows.map((row) => kickWebhookDispatcher(env, row.org_id)));
    return result.rows.length;
  } finally {
    await database.close();
  }
}
