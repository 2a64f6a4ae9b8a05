import { type CampaignStatus, campaigns } from "@switchboard/schema";
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { NotFoundError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { type KeysetPage, keyset } from "../shared/keyset.js";

export type CampaignRow = typeof campaigns.$inferSelect;

/** A campaign as each surface names it: MiniBotPanel by integer number, GraphQL by uuid. */
export type CampaignRef = { number: number } | { id: string };

export function describeRef(ref: CampaignRef): string {
  return "number" in ref ? `Campaign ${ref.number}` : `Campaign ${ref.id}`;
}

function matchesRef(ref: CampaignRef) {
  return "number" in ref ? eq(campaigns.number, ref.number) : eq(campaigns.id, ref.id);
}

/** The caller's campaign, or NotFoundError: another organisation's campaign does not exist for them. */
export async function findCampaign(db: Database, orgId: string, ref: CampaignRef): Promise<CampaignRow> {
  if ("id" in ref && !isUuid(ref.id)) throw new NotFoundError(describeRef(ref));
  const [row] = await db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.orgId, orgId), matchesRef(ref)));
  if (!row) throw new NotFoundError(describeRef(ref));
  return row;
}

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
