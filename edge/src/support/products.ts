import { ACCENTED_LETTERS, PLAIN_LETTERS, products } from "@switchboard/schema";
import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.js";
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
