import { apiKeys, organisations, refreshSessions, revokedTokens } from "@switchboard/schema";
import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import type { AppEnv } from "../env.js";
import { AuthenticationError, NotFoundError } from "../shared/errors.js";
import { API_KEY_PREFIXES } from "./api-keys.js";
import { constantTimeEqual } from "./passwords.js";
import type { Principal } from "./principal.js";
import { ALL_SCOPES, isScope } from "./scopes.js";
import { sha256Hex } from "./secrets.js";
import { verifyAccessToken } from "./tokens.js";

export type Credentials = { bearer?: string; apiKey?: string; password?: string };

/** Reads every credential a caller may send: a bearer token, X-API-Key, or MiniBotPanel's ?password=. */
export function credentialsFrom(request: Request): Credentials {
  const authorization = request.headers.get("authorization");
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  const apiKey = request.headers.get("x-api-key")?.trim();
  const password = new URL(request.url).searchParams.get("password") ?? undefined;
  return { ...(bearer ? { bearer } : {}), ...(apiKey ? { apiKey } : {}), ...(password ? { password } : {}) };
}

/**
 * Turns credentials into a principal, or null when none were sent.
 * Credentials that were sent but are wrong throw, so a typo never silently downgrades to anonymous.
 */
export async function authenticate(
  db: () => Database,
  env: AppEnv,
  credentials: Credentials,
  waitUntil: (work: Promise<unknown>) => void,
): Promise<Principal | null> {
  const secret = credentials.bearer ?? credentials.apiKey ?? credentials.password;
  if (!secret) return null;
  if (isLegacyPassword(env, secret)) return legacyPrincipal(db(), env.DEFAULT_ORG_SLUG);
  if (API_KEY_PREFIXES.some((prefix) => secret.startsWith(prefix))) return apiKeyPrincipal(db(), secret, waitUntil);
  if (credentials.bearer) return userPrincipal(db(), env.JWT_SECRET, credentials.bearer);
  throw new AuthenticationError("INVALID_CREDENTIALS", "Invalid or missing credentials");
}

function isLegacyPassword(env: AppEnv, candidate: string): boolean {
  if (!env.API_PASSWORD) return false;
  const encoder = new TextEncoder();
  return constantTimeEqual(encoder.encode(candidate), encoder.encode(env.API_PASSWORD));
}

// Organisation ids never change, so the slug lookup is cached for the isolate's life.
const orgIdsBySlug = new Map<string, string>();

async function legacyPrincipal(db: Database, slug: string): Promise<Principal> {
  let orgId = orgIdsBySlug.get(slug);
  if (!orgId) {
    const [org] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.slug, slug));
    if (!org) throw new NotFoundError(`Default organisation '${slug}'`);
    orgId = org.id;
    orgIdsBySlug.set(slug, orgId);
  }
  return { orgId, kind: "legacy_password", userId: null, apiKeyId: null, scopes: [...ALL_SCOPES], token: null };
}

async function apiKeyPrincipal(
  db: Database,
  secret: string,
  waitUntil: (work: Promise<unknown>) => void,
): Promise<Principal> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, await sha256Hex(secret)));
  const now = new Date();
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now)) {
    throw new AuthenticationError("INVALID_CREDENTIALS", "API key is invalid, revoked or expired");
  }
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > 60_000) {
    waitUntil(db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, key.id)));
  }
  return {
    orgId: key.orgId,
    kind: "api_key",
    userId: key.createdByUserId,
    apiKeyId: key.id,
    scopes: key.scopes.filter(isScope),
    token: null,
  };
}

async function userPrincipal(db: Database, secret: string, token: string): Promise<Principal> {
  const claims = await verifyAccessToken(secret, token);
  // One round trip: the token itself revoked (logout), or its login family revoked (reuse detected).
  const { rows } = await db.execute<{ revoked: boolean }>(sql`
    select exists(select 1 from ${revokedTokens} where ${revokedTokens.jti} = ${claims.jti})
        or exists(select 1 from ${refreshSessions}
                  where ${refreshSessions.familyId} = ${claims.sid} and ${refreshSessions.revokedAt} is not null)
        as revoked`);
  const state = rows[0];
  if (state?.revoked) throw new AuthenticationError("INVALID_TOKEN", "Token revoked");
  return {
    orgId: claims.org,
    kind: "user",
    userId: claims.sub,
    apiKeyId: null,
    scopes: claims.scopes,
    token: { jti: claims.jti, sessionFamilyId: claims.sid, expiresAt: new Date(claims.exp * 1000) },
  };
}
