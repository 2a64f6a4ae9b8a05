import { ACCENTED_LETTERS, PLAIN_LETTERS, products } from "@switchboard/schema";
import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.js";
import { NotFoundError } from "../shared/errors.js";
import { parseInput } from "../shared/validate.js";

export type ProductRow = typeof products.$inferSelect;
export type Product = Omit<ProductRow, "searchVector">;

export const MAX_PRODUCT_LIMIT = 100;

const searchInput = z.object({
  query: z.string().trim().max(200).optional(),
  category: z.string().trim().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(MAX_PRODUCT_LIMIT),
  page: z.number().int().min(1).max(10_000).default(1),
});

export type ProductSearch = z.input<typeof searchInput>;

/** Every column but the search document, which is the database's business. */
const productColumns = {
  id: products.id,
  orgId: products.orgId,
  sku: products.sku,
  name: products.name,
  category: products.category,
  description: products.description,
  price: products.price,
  currency: products.currency,
  inStock: products.inStock,
  images: products.images,
  attributes: products.attributes,
  createdAt: products.createdAt,
  updatedAt: products.updatedAt,
};

/** The tool the chat engine calls: one page of matches, best first. */
export async function searchProducts(db: Database, orgId: string, input: ProductSearch): Promise<Product[]> {
  return (await searchProductsPage(db, orgId, input)).products;
}

/**
 * French full-text search over name, SKU, category and description (generated `search_vector`, GIN index),
 * accent- and case-insensitive; each word matches as a prefix, so "cana" finds "canapé". Category filters exactly
 * (case- and accent-insensitive). Without a query, products come by name. `total` counts every match.
 */
export async function searchProductsPage(
  db: Database,
  orgId: string,
  input: ProductSearch,
): Promise<{ products: Product[]; total: number; page: number; limit: number }> {
  const data = parseInput(searchInput, input, "Invalid product search");
  const query = data.query ? prefixQuery(data.query) : null;
  const conditions: SQL[] = [eq(products.orgId, orgId)];
  if (query) conditions.push(sql`${products.searchVector} @@ ${query}`);
  if (data.category) conditions.push(sql`${folded(sql`${products.category}`)} = ${folded(sql`${data.category}`)}`);
  const where = and(...conditions);
  const order = query
    ? [desc(sql`ts_rank(${products.searchVector}, ${query})`), asc(products.name)]
    : [asc(products.name)];
  const [rows, counted] = await Promise.all([
    db
      .select(productColumns)
      .from(products)
      .where(where)
      .orderBy(...order)
      .limit(data.limit)
      .offset((data.page - 1) * data.limit),
    db.select({ total: sql<number>`count(*)::int` }).from(products).where(where),
  ]);
  return { products: rows, total: counted[0]?.total ?? 0, page: data.page, limit: data.limit };
}

const productInput = z.object({
  sku: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(200),
  category: z.string().trim().min(1).max(100).optional(),
  description: z.string().trim().max(5000).optional(),
  price: z.number().min(0).max(10_000_000),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "Expected an ISO 4217 code")
    .default("EUR"),
  inStock: z.boolean().default(true),
  images: z.array(z.url().max(2000)).max(20).default([]),
});

export type ProductInput = z.input<typeof productInput>;

/** Adds a product to the catalogue, or replaces the one with the same SKU. */
export async function saveProduct(db: Database, orgId: string, input: ProductInput): Promise<Product> {
  const fields = parseInput(productInput, input, "Invalid product");
  const values = { ...fields, category: fields.category ?? null, description: fields.description ?? null };
  const [saved] = await db
    .insert(products)
    .values({ ...values, orgId })
    .onConflictDoUpdate({ target: [products.orgId, products.sku], set: { ...values, updatedAt: new Date() } })
    .returning(productColumns);
  if (!saved) throw new Error("product upsert returned nothing");
  return saved;
}

/** Removes a product from the catalogue; tickets keep the SKU they name. */
export async function deleteProduct(db: Database, orgId: string, sku: string): Promise<Product> {
  const [deleted] = await db
    .delete(products)
    .where(and(eq(products.orgId, orgId), eq(products.sku, sku)))
    .returning(productColumns);
  if (!deleted) throw new NotFoundError(`Product ${sku}`);
  return deleted;
}

function folded(value: SQL): SQL {
  return sql`translate(lower(${value}), ${ACCENTED_LETTERS}, ${PLAIN_LETTERS})`;
}

/**
 * `canapé bleu` → `canape:* & bleu:*` in the French configuration. Words are reduced to letters and digits, so
 * no input can break the tsquery syntax; a query of symbols only matches nothing rather than everything.
 */
function prefixQuery(text: string): SQL {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 12);
  const expression = words.length > 0 ? words.map((word) => `${word}:*`).join(" & ") : "";
  return sql`to_tsquery('french', ${folded(sql`${expression}`)})`;
}
