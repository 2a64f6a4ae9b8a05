import { calls, campaigns } from "@switchboard/schema";
import { and, eq, sql } from "drizzle-orm";
import type { Transaction } from "../db/client.js";
import { emitWebhookEvent } from "./emit.js";
import { isoSeconds } from "./events.js";

/**
 * MiniBotPanel's planned campaign events (`campaign.started`, `campaign.completed`), emitted inside the transaction
 * that changes the campaign's status. `data` carries the campaign as MiniBotPanel numbers it, and its call counts.
 */
export async function emitCampaignEvent(
  tx: Transaction,
  orgId: string,
  campaignId: string,
  name: "campaign.started" | "campaign.completed",
): Promise<number> {
  const data = await campaignEventData(tx, orgId, campaignId);
  if (!data) return 0;
  // A campaign starts and completes once; a resumed campaign does not start again.
  return emitWebhookEvent(tx, { orgId, name, payload: data, idempotencyKey: `${name}:${campaignId}` });
}

async function campaignEventData(
  tx: Transaction,
  orgId: string,
  campaignId: string,
): Promise<Record<string, unknown> | null> {
  const [row] = await tx
    .select({
      number: campaigns.number,
      id: campaigns.id,
      name: campaigns.name,
      status: campaigns.status,
      startedAt: campaigns.startedAt,
      completedAt: campaigns.completedAt,
      totalCalls: sql<number>`(select count(*)::int from ${calls} where ${calls.orgId} = ${orgId} and ${calls.campaignId} = ${campaignId})`,
      leads: sql<number>`(select count(*)::int from ${calls} where ${calls.orgId} = ${orgId} and ${calls.campaignId} = ${campaignId} and ${calls.result} = 'lead')`,
    })
    .from(campaigns)
    .where(and(eq(campaigns.orgId, orgId), eq(campaigns.id, campaignId)));
  if (!row) return null;
  return {
    campaign_id: row.number,
    campaign_uuid: row.id,
    name: row.name,
    status: row.status,
    started_at: row.startedAt ? isoSeconds(row.startedAt) : null,
    completed_at: row.completedAt ? isoSeconds(row.completedAt) : null,
    total_calls: row.totalCalls,
    leads: row.leads,
  };
}
