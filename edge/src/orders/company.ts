import { organisations } from "@switchboard/schema";
import { eq, or, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";

/** Whose a Botlive company_id is: the caller's organisation (its external id or id), another one, or nobody's. */
export type CompanyOwnership = "own" | "other" | "unknown";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function companyOwnership(
  db: Database,
  callerOrgId: string,
  companyId: string,
): Promise<CompanyOwnership> {
  const matches = UUID.test(companyId)
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
