import { type CampaignStatus, campaigns } from "@switchboard/schema";
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { isUuid } from "../shared/ids.js";
import { type KeysetPage, keyset } from "../shared/keyset.js";

export type CampaignRow = typeof campaigns.$inferSelect;

/** Newest first, optionally filtered by status. */
export function listCampaigns(
  db: Database,
  orgId: string,
  filter: { status?: CampaignStatus },
  page: KeysetPage<number>,
): Promise<CampaignRow[]> {
  const { conditions, orderBy, limit } = keyset(campaigns.number, page, "desc");
  const byStatus = filter.status ? [eq(campaigns.status, filter.status)] : [];
  return db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.orgId, orgId), ...byStatus, ...conditions))
    .orderBy(orderBy)
    .limit(limit);
}

export async function campaignsByIds(db: Database, orgId: string, ids: readonly string[]): Promise<CampaignRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.orgId, orgId), inArray(campaigns.id, valid)));
}
