import { sql } from "drizzle-orm";
import { bigint, boolean, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, orgId, updatedAt } from "./columns.js";

export const contacts = pgTable(
  "contacts",
  {
    id: id(),
    orgId: orgId(),
    /** Integer id for legacy clients (MiniBotPanel's contact_ids). Lookups are always org-scoped. */
    number: bigint("number", { mode: "number" }).notNull().generatedByDefaultAsIdentity().unique(),
    /** Primary phone in E.164. */
    phone: text("phone").notNull(),
    /** Further numbers in dialling order (SpeechAI's `phones`). */
    alternatePhones: text("alternate_phones").array().notNull().default(sql`'{}'::text[]`),
    firstName: text("first_name"),
    lastName: text("last_name"),
    email: text("email"),
    company: text("company"),
    /** The customer's own reference: a RUT/DNI, a CRM id, a WhatsApp user id. */
    externalRef: text("external_ref"),
    country: text("country"),
    optedOut: boolean("opted_out").notNull().default(false),
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("contacts_org_created_idx").on(t.orgId, t.createdAt, t.id),
    index("contacts_org_phone_idx").on(t.orgId, t.phone),
    index("contacts_org_external_ref_idx").on(t.orgId, t.externalRef),
  ],
);
