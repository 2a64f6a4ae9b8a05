import { webhookDeliveries, webhooks } from "@switchboard/schema";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import type { WebhookConfig } from "./config.js";
import { deliveryBody } from "./events.js";
import { nextStepAfterFailure, retryDelayMs } from "./retry.js";
import { type SendOutcome, sendSigned } from "./send.js";

/** A claimed delivery is not claimed again for this long: long enough for one send, short enough to recover a crash. */
export const CLAIM_LEASE_MS = 60_000;
/** Deliveries sent side by side in one pass. */
export const BATCH_SIZE = 25;
/** Passes per dispatcher run; what is left waits for the next alarm, so one run cannot hold the object forever. */
const MAX_BATCHES_PER_RUN = 40;

type ClaimedDelivery = {
  id: string;
  org_id: string;
  event: string;
  payload: Record<string, unknown>;
  created_at: Date | string;
  attempts: number;
  url: string;
  secret: string;
};

/**
 * Takes up to `limit` due pending deliveries of the organisation, counting the attempt and leasing each row (its
 * next_attempt_at moves past the lease) in one statement. SKIP LOCKED leaves rows another run holds; NO KEY UPDATE
 * does not block inserts referencing the rows. A run that dies mid-send leaves the lease to expire: the delivery
 * is tried again, so receivers must expect an event more than once (the delivery id header names it).
 */
export async function claimDueDeliveries(db: Database, orgId: string, limit: number): Promise<ClaimedDelivery[]> {
  const result = await db.execute<ClaimedDelivery>(sql`
    with due as (
      select id from ${webhookDeliveries}
      where org_id = ${orgId} and status = 'pending' and next_attempt_at <= now()
      order by next_attempt_at
      limit ${limit}
      for no key update skip locked
    )
    update ${webhookDeliveries} d
    set attempts = d.attempts + 1, next_attempt_at = now() + ${`${CLAIM_LEASE_MS} milliseconds`}::interval
    from due, ${webhooks} w
    where d.id = due.id and w.id = d.webhook_id and w.org_id = d.org_id
    returning d.id, d.org_id, d.event, d.payload, d.created_at, d.attempts, w.url, w.secret`);
  return result.rows;
}

/** Sends one claimed delivery and writes down what happened. */
export async function deliverClaimed(db: Database, delivery: ClaimedDelivery, config: WebhookConfig): Promise<boolean> {
  const outcome = await sendSigned(
    {
      url: delivery.url,
      secret: delivery.secret,
      event: delivery.event,
      deliveryId: delivery.id,
      body: deliveryBody(delivery.event, new Date(delivery.created_at), delivery.payload),
    },
    config,
  );
  await recordOutcome(db, delivery, outcome, config);
  return outcome.ok;
}

async function recordOutcome(
  db: Database,
  delivery: ClaimedDelivery,
  outcome: SendOutcome,
  config: WebhookConfig,
): Promise<void> {
  const response = { responseStatus: outcome.status, responseBody: outcome.response, lastError: outcome.error };
  const where = and(eq(webhookDeliveries.orgId, delivery.org_id), eq(webhookDeliveries.id, delivery.id));
  if (outcome.ok) {
    await db
      .update(webhookDeliveries)
      .set({ ...response, status: "delivered", deliveredAt: new Date(), nextAttemptAt: null })
      .where(where);
    return;
  }
  const giveUp = outcome.permanent || nextStepAfterFailure(delivery.attempts, config.maxAttempts) === "dead_letter";
  await db
    .update(webhookDeliveries)
    .set(
      giveUp
        ? { ...response, status: "dead_letter", nextAttemptAt: null }
        : { ...response, nextAttemptAt: new Date(Date.now() + retryDelayMs(delivery.attempts, config.retryBaseMs)) },
    )
    .where(where);
}

/**
 * Delivers everything of the organisation that is due, batch after batch, and says when to look again (epoch ms
 * of the earliest pending delivery, leases included), or null when nothing is pending.
 */
export async function drainDueDeliveries(db: Database, orgId: string, config: WebhookConfig): Promise<number | null> {
  for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
    const claimed = await claimDueDeliveries(db, orgId, BATCH_SIZE);
    if (claimed.length === 0) break;
    await Promise.all(claimed.map((delivery) => deliverClaimed(db, delivery, config)));
  }
  return nextPendingAt(db, orgId);
}

async function nextPendingAt(db: Database, orgId: string): Promise<number | null> {
  const [row] = await db
    .select({ at: sql<Date | string | null>`min(${webhookDeliveries.nextAttemptAt})` })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.status, "pending")));
  return row?.at ? new Date(row.at).getTime() : null;
}
