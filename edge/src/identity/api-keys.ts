import { apiKeys } from "@switchboard/schema";
import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.js";
import { NotFoundError, ValidationError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { parseInput } from "../shared/validate.js";
import type { Principal } from "./principal.js";
import { ALL_SCOPES } from "./scopes.js";
import { randomToken, sha256Hex } from "./secrets.js";

export const API_KEY_PREFIX = "sb_live_";
/** Meuble de France's documented key shape (`mdf_live_…`): same keys, another prefix for that surface's clients. */
export const MEUBLE_API_KEY_PREFIX = "mdf_live_";
export const API_KEY_PREFIXES = [API_KEY_PREFIX, MEUBLE_API_KEY_PREFIX] as const;
export type ApiKeyPrefix = (typeof API_KEY_PREFIXES)[number];

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(ALL_SCOPES)).min(1).optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** Creates a key; the secret is returned this once and only its hash is stored. */
export async function createApiKey(
  db: Database,
  principal: Principal,
  input: unknown,
  prefix: ApiKeyPrefix = API_KEY_PREFIX,
): Promise<{ apiKey: ApiKeyRow; secret: string }> {
  const data = parseInput(createApiKeyInput, input);
  const scopes = data.scopes ?? principal.scopes;
  const beyondCaller = scopes.filter((scope) => !principal.scopes.includes(scope));
  if (beyondCaller.length > 0) {
    throw new ValidationError("A key cannot carry scopes its creator lacks", [
      { path: ["scopes"], message: `Not allowed: ${beyondCaller.join(", ")}` },
    ]);
  }
  const secret = `${prefix}${randomToken(32)}`;
  const [apiKey] = await db
    .insert(apiKeys)
    .values({
      orgId: principal.orgId,
      name: data.name,
      prefix: secret.slice(0, prefix.length + 6),
      keyHash: await sha256Hex(secret),
      scopes,
      createdByUserId: principal.userId,
      expiresAt: data.expiresInDays ? new Date(Date.now() + data.expiresInDays * 86_400_000) : null,
    })
    .returning();
  if (!apiKey) throw new Error("api key insert returned nothing");
  return { apiKey, secret };
}

export async function revokeApiKey(db: Database, orgId: string, id: string): Promise<ApiKeyRow> {
  if (!isUuid(id)) throw new NotFoundError("API key");
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id)))
    .returning();
  if (!revoked) throw new NotFoundError("API key");
  return revoked;
}

export function listApiKeys(db: Database, orgId: string): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.orgId, orgId)).orderBy(desc(apiKeys.createdAt));
}
