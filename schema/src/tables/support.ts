import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { ticketPriority, ticketStatus } from "../enums.js";
import { conversations } from "./chat.js";
import { at, createdAt, id, orgId, updatedAt } from "./columns.js";
import { contacts } from "./contacts.js";
import { users } from "./identity.js";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * Accented letters folded to plain ones. `translate` is immutable (unaccent() is not, and needs an extension PGlite
 * lacks), so it may feed a generated column; queries fold their words with the same table (edge/src/support/products.ts).
 */
export const ACCENTED_LETTERS = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ";
export const PLAIN_LETTERS = "aaaaaaceeeeiiiinooooouuuuyyoa";

/** French full-text document of a product: name and SKU weigh most, then category, then description. */
const productSearchDocument = sql.raw(`
  setweight(to_tsvector('french', translate(lower(coalesce(name, '') || ' ' || replace(sku, '-', ' ')), '${ACCENTED_LETTERS}', '${PLAIN_LETTERS}')), 'A')
  || setweight(to_tsvector('french', translate(lower(coalesce(category, '')), '${ACCENTED_LETTERS}', '${PLAIN_LETTERS}')), 'B')
  || setweight(to_tsvector('french', translate(lower(coalesce(description, '')), '${ACCENTED_LETTERS}', '${PLAIN_LETTERS}')), 'C')`);

export const products = pgTable(
  "products",
  {
    id: id(),
    orgId: orgId(),
    sku: text("sku").notNull(),
    name: text("name").notNull(),
    category: text("category"),
    description: text("description"),
    price: numeric("price", { precision: 12, scale: 2, mode: "number" }).notNull(),
    currency: text("currency").notNull().default("EUR"),
    inStock: boolean("in_stock").notNull().default(true),
    images: text("images").array().notNull().default(sql`'{}'::text[]`),
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
    searchVector: tsvector("search_vector").generatedAlwaysAs(productSearchDocument),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("products_org_sku_key").on(t.orgId, t.sku),
    index("products_org_category_idx").on(t.orgId, t.category),
    index("products_search_idx").using("gin", t.searchVector),
  ],
);

export const uploads = pgTable(
  "uploads",
  {
    id: id(),
    orgId: orgId(),
    /** Public id, `upload_…`. */
    code: text("code").notNull().unique(),
    storageKey: text("storage_key").notNull(),
    fileName: text("file_name"),
    contentType: text("content_type").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    description: text("description"),
    uploadedByUserId: uuid("uploaded_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("uploads_org_created_idx").on(t.orgId, t.createdAt)],
);

export const tickets = pgTable(
  "tickets",
  {
    id: id(),
    orgId: orgId(),
    /** Public id, `TKT-YYYY-NNNNNN`. */
    code: text("code").notNull(),
    customerRef: text("customer_ref"),
    contactId: uuid("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    productSku: text("product_sku"),
    category: text("category").notNull(),
    severity: text("severity").notNull(),
    description: text("description").notNull(),
    status: ticketStatus("status").notNull().default("open"),
    priority: ticketPriority("priority").notNull(),
    priorityScore: integer("priority_score").notNull(),
    attachmentCodes: text("attachment_codes").array().notNull().default(sql`'{}'::text[]`),
    slaResponseDeadline: at("sla_response_deadline").notNull(),
    slaInterventionDeadline: at("sla_intervention_deadline").notNull(),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    resolvedAt: at("resolved_at"),
  },
  (t) => [
    uniqueIndex("tickets_org_code_key").on(t.orgId, t.code),
    index("tickets_org_status_idx").on(t.orgId, t.status, t.priority),
  ],
);

/** The last ticket number handed out per organisation and year: `TKT-YYYY-NNNNNN` counts from 1 each year. */
export const ticketSequences = pgTable(
  "ticket_sequences",
  {
    orgId: orgId(),
    year: integer("year").notNull(),
    lastValue: integer("last_value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.year] })],
);
