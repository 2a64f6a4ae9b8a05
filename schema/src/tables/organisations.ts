import { jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** The tenant. Every other row belongs to exactly one organisation. */
export const organisations = pgTable("organisations", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  /** Identifier a legacy surface uses for the tenant, e.g. Botlive's company_id. */
  externalId: text("external_id").unique(),
  settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
  // Inline (not from columns.ts) because columns.ts references this table.
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});
