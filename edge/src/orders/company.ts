import { organisations } from "@switchboard/schema";
import { eq, or, sql } from "drizzle-orm";
import type { Database, Transaction } from "../db/client.js";
import { isUuid } from "../shared/ids.js";

/** Whose a Botlive company_id is: the caller's organisation (its external id or id), another one, or nobody's. */
export type CompanyOwnership = "own" | "other" | "unknown";

export async function companyOwnership(
  db: Database,
  callerOrgId: string,
  companyId: string,
): Promise<CompanyOwnership> {
  const matches = isUuid(companyId)
    ? or(eq(organisations.externalId, companyId), eq(organisations.id, companyId))
    : eq(organisations.externalId, companyId);
  const rows = await db
    .select({ id: organisations.id })
    .from(organisations)
    .where(matches ?? sql`false`)
    .limit(2);
  if (rows.some((row) => row.id === callerOrgId)) return "own";
  return rows.length > 0 ? "other" : "unknown";
}

/** An organisation's Botlive company_id: its external id when it has one, else its id. */
export async function companyIdOf(db: Database | Transaction, orgId: string): Promise<string> {
  const [row] = await db
    .select({ company: sql<string>`coalesce(${organisations.externalId}, ${organisations.id}::text)` })
    .from(organisations)
    .where(eq(organisations.id, orgId));
  return row?.company ?? orgId;
}
