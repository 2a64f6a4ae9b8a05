import { organisations, users } from "@switchboard/schema";
import { and, eq, getTableColumns } from "drizzle-orm";
import type { Database } from "../db/client.js";

export type OrganisationRow = typeof organisations.$inferSelect;
export type UserRow = Omit<typeof users.$inferSelect, "passwordHash">;

export async function getOrganisation(db: Database, orgId: string): Promise<OrganisationRow | null> {
  const [org] = await db.select().from(organisations).where(eq(organisations.id, orgId));
  return org ?? null;
}

export async function getUser(db: Database, orgId: string, userId: string): Promise<UserRow | null> {
  const { passwordHash: _omitted, ...columns } = getTableColumns(users);
  const [user] = await db
    .select(columns)
    .from(users)
    .where(and(eq(users.orgId, orgId), eq(users.id, userId)));
  return user ?? null;
}
