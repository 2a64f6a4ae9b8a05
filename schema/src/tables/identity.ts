import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { userRole } from "../enums.js";
import { at, createdAt, id, orgId, updatedAt } from "./columns.js";

export const users = pgTable(
  "users",
  {
    id: id(),
    orgId: orgId(),
    /** Stored lower-cased; unique across the platform because login is by email alone. */
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    firstName: text("first_name"),
    lastName: text("last_name"),
    role: userRole("role").notNull().default("member"),
    failedLoginCount: integer("failed_login_count").notNull().default(0),
    lockedUntil: at("locked_until"),
    lastLoginAt: at("last_login_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email), index("users_org_idx").on(t.orgId, t.createdAt)],
);

/** One row per issued refresh token. Tokens of one login share a family; reuse revokes the family. */
export const refreshSessions = pgTable(
  "refresh_sessions",
  {
    id: id(),
    orgId: orgId(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    familyId: uuid("family_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: at("expires_at").notNull(),
    rotatedAt: at("rotated_at"),
    revokedAt: at("revoked_at"),
    revokedReason: text("revoked_reason"),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("refresh_sessions_token_hash_key").on(t.tokenHash),
    index("refresh_sessions_org_family_idx").on(t.orgId, t.familyId),
    index("refresh_sessions_org_user_idx").on(t.orgId, t.userId),
  ],
);

/** Access-token ids revoked before expiry (logout). Rows can be purged after expires_at. */
export const revokedTokens = pgTable(
  "revoked_tokens",
  {
    jti: text("jti").primaryKey(),
    orgId: orgId(),
    expiresAt: at("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("revoked_tokens_org_idx").on(t.orgId, t.expiresAt)],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    /** The first characters of the key, kept so a person can tell keys apart. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    scopes: text("scopes").array().notNull().default(sql`'{}'::text[]`),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    expiresAt: at("expires_at"),
    revokedAt: at("revoked_at"),
    lastUsedAt: at("last_used_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_keys_key_hash_key").on(t.keyHash), index("api_keys_org_idx").on(t.orgId, t.createdAt)],
);
