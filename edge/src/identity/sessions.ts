import { refreshSessions, users } from "@switchboard/schema";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { AuthenticationError } from "../shared/errors.js";
import { scopesForRole } from "./scopes.js";
import { sha256Hex } from "./secrets.js";
import {
  ACCESS_TOKEN_SECONDS,
  REFRESH_TOKEN_SECONDS,
  signAccessToken,
  signRefreshToken,
  verifyRefreshToken,
} from "./tokens.js";

export type TokenPair = { accessToken: string; refreshToken: string; expiresIn: number };
type SessionUser = Pick<typeof users.$inferSelect, "id" | "orgId" | "role">;

/** Issues an access token and a refresh token; a new login starts a new token family. */
export async function issueTokens(
  db: Database,
  secret: string,
  user: SessionUser,
  familyId: string = crypto.randomUUID(),
): Promise<TokenPair> {
  const sessionId = crypto.randomUUID();
  const refreshToken = await signRefreshToken(secret, user.id, sessionId);
  await db.insert(refreshSessions).values({
    id: sessionId,
    orgId: user.orgId,
    userId: user.id,
    familyId,
    tokenHash: await sha256Hex(refreshToken),
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_SECONDS * 1000),
  });
  const access = await signAccessToken(secret, {
    userId: user.id,
    orgId: user.orgId,
    sessionFamilyId: familyId,
    scopes: scopesForRole(user.role),
  });
  return { accessToken: access.token, refreshToken, expiresIn: ACCESS_TOKEN_SECONDS };
}

/**
 * Rotates a refresh token. Each one works once: presenting a rotated token again means it leaked,
 * so the whole family is revoked and every token from that login stops working.
 */
export async function rotateRefreshToken(db: Database, secret: string, refreshToken: string): Promise<TokenPair> {
  const claims = await verifyRefreshToken(secret, refreshToken);
  const tokenHash = await sha256Hex(refreshToken);
  const [rotated] = await db
    .update(refreshSessions)
    .set({ rotatedAt: sql`now()` })
    .where(
      and(
        eq(refreshSessions.id, claims.jti),
        eq(refreshSessions.tokenHash, tokenHash),
        isNull(refreshSessions.rotatedAt),
        isNull(refreshSessions.revokedAt),
        gt(refreshSessions.expiresAt, sql`now()`),
      ),
    )
    .returning({ familyId: refreshSessions.familyId, userId: refreshSessions.userId });
  if (!rotated) return rejectRefresh(db, claims.jti, tokenHash);
  const [user] = await db
    .select({ id: users.id, orgId: users.orgId, role: users.role })
    .from(users)
    .where(eq(users.id, rotated.userId));
  if (!user) throw new AuthenticationError("INVALID_TOKEN", "Token invalid");
  return issueTokens(db, secret, user, rotated.familyId);
}

/**
 * A new access token for a valid refresh token, leaving the refresh token in use. For contracts whose refresh
 * answer carries no new refresh token (VoiceERA): rotating there would make the client's next refresh look
 * like reuse and end its login. Revocation (logout, reuse detection elsewhere in the family) still applies.
 */
export async function refreshAccessToken(
  db: Database,
  secret: string,
  refreshToken: string,
): Promise<{ accessToken: string; expiresIn: number }> {
  const claims = await verifyRefreshToken(secret, refreshToken);
  const [session] = await db
    .select({ familyId: refreshSessions.familyId, id: users.id, orgId: users.orgId, role: users.role })
    .from(refreshSessions)
    .innerJoin(users, eq(users.id, refreshSessions.userId))
    .where(
      and(
        eq(refreshSessions.id, claims.jti),
        eq(refreshSessions.tokenHash, await sha256Hex(refreshToken)),
        isNull(refreshSessions.rotatedAt),
        isNull(refreshSessions.revokedAt),
        gt(refreshSessions.expiresAt, sql`now()`),
      ),
    );
  if (!session) throw new AuthenticationError("INVALID_TOKEN", "Token invalid or revoked");
  const access = await signAccessToken(secret, {
    userId: session.id,
    orgId: session.orgId,
    sessionFamilyId: session.familyId,
    scopes: scopesForRole(session.role),
  });
  return { accessToken: access.token, expiresIn: ACCESS_TOKEN_SECONDS };
}

async function rejectRefresh(db: Database, sessionId: string, tokenHash: string): Promise<never> {
  const [session] = await db
    .select({ familyId: refreshSessions.familyId, rotatedAt: refreshSessions.rotatedAt })
    .from(refreshSessions)
    .where(and(eq(refreshSessions.id, sessionId), eq(refreshSessions.tokenHash, tokenHash)));
  if (session?.rotatedAt) {
    await revokeFamily(db, session.familyId, "reuse_detected");
    throw new AuthenticationError(
      "TOKEN_REUSED",
      "Refresh token was already used; all sessions of this login are revoked",
    );
  }
  throw new AuthenticationError("INVALID_TOKEN", "Token invalid or revoked");
}

export async function revokeFamily(db: Database, familyId: string, reason: string): Promise<void> {
  await db
    .update(refreshSessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(and(eq(refreshSessions.familyId, familyId), isNull(refreshSessions.revokedAt)));
}
