import { accounts, organisations, users } from "@switchboard/schema";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { newAccountCode } from "../billing/service.js";
import type { Database } from "../db/client.js";
import { AuthenticationError, ConflictError } from "../shared/errors.js";
import { parseInput } from "../shared/validate.js";
import { hashPassword, verifyAgainstNothing, verifyPassword } from "./passwords.js";
import { issueTokens, type TokenPair } from "./sessions.js";

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export const registerInput = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  password: z.string().min(10, "Password must be at least 10 characters").max(200),
  firstName: z.string().trim().max(100).optional(),
  lastName: z.string().trim().max(100).optional(),
  /** Optional for surfaces whose registration names no organisation (VoiceERA): the owner's name is used. */
  organizationName: z.string().trim().min(1).max(200).optional(),
});

export const loginInput = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  password: z.string().min(1).max(200),
});

type AccountUser = Omit<typeof users.$inferSelect, "passwordHash">;
/** A signed-in user with their tokens. */
export type Session = { user: AccountUser; tokens: TokenPair };

/**
 * Creates an organisation, its default billing account and its owner, then logs the owner in. The default
 * account is on the unlimited plan: nothing is blocked until an admin sets up credit-based accounts.
 */
export async function register(db: Database, secret: string, input: unknown): Promise<TokenPair> {
  return (await registerAccount(db, secret, input)).tokens;
}

/** register, returning the new owner as well. */
export async function registerAccount(db: Database, secret: string, input: unknown): Promise<Session> {
  const data = parseInput(registerInput, input);
  const organizationName = data.organizationName ?? ownerName(data);
  const passwordHash = await hashPassword(data.password);
  const owner = await db.transaction(async (tx) => {
    const [org] = await tx
      .insert(organisations)
      .values({ name: organizationName, slug: slugFor(organizationName) })
      .returning({ id: organisations.id });
    if (!org) throw new Error("organisation insert returned nothing");
    await tx.insert(accounts).values({
      orgId: org.id,
      code: newAccountCode(),
      name: organizationName,
      planType: "unlimited",
      isDefault: true,
    });
    const [user] = await tx
      .insert(users)
      .values({
        orgId: org.id,
        email: data.email,
        passwordHash,
        firstName: data.firstName,
        lastName: data.lastName,
        role: "owner",
      })
      .onConflictDoNothing({ target: users.email })
      .returning();
    if (!user) throw new ConflictError("An account with this email already exists");
    return user;
  });
  return { user: withoutPassword(owner), tokens: await issueTokens(db, secret, owner) };
}

function ownerName(data: { email: string; firstName?: string | undefined; lastName?: string | undefined }): string {
  const name = [data.firstName, data.lastName].filter(Boolean).join(" ");
  return name || data.email;
}

function withoutPassword(user: typeof users.$inferSelect): AccountUser {
  const { passwordHash: _omitted, ...rest } = user;
  return rest;
}

/** Password login with lockout: the fifth failure in a row locks the account for 15 minutes. */
export async function login(db: Database, secret: string, input: unknown): Promise<TokenPair> {
  return (await loginAccount(db, secret, input)).tokens;
}

/** login, returning the user as well. */
export async function loginAccount(db: Database, secret: string, input: unknown): Promise<Session> {
  const { email, password } = parseInput(loginInput, input);
  const [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user) {
    await verifyAgainstNothing(password);
    throw invalidCredentials();
  }
  if (user.lockedUntil && user.lockedUntil > new Date()) throw accountLocked(user.lockedUntil);
  if (!(await verifyPassword(password, user.passwordHash))) {
    await recordFailedLogin(db, user.id);
    throw invalidCredentials();
  }
  await db
    .update(users)
    .set({ failedLoginCount: 0, lockedUntil: null, lastLoginAt: sql`now()` })
    .where(eq(users.id, user.id));
  return { user: withoutPassword(user), tokens: await issueTokens(db, secret, user) };
}

async function recordFailedLogin(db: Database, userId: string): Promise<void> {
  // One statement, so concurrent guesses cannot slip past the count. An expired lock starts a new count.
  await db.execute(sql`
    update users set
      failed_login_count = case when locked_until <= now() then 1 else failed_login_count + 1 end,
      locked_until = case
        when (case when locked_until <= now() then 1 else failed_login_count + 1 end) >= ${MAX_FAILED_LOGINS}
          then now() + make_interval(mins => ${LOCKOUT_MINUTES})
        when locked_until <= now() then null
        else locked_until end
    where id = ${userId}`);
}

function invalidCredentials(): AuthenticationError {
  return new AuthenticationError("INVALID_CREDENTIALS", "Invalid email or password");
}

function accountLocked(until: Date): AuthenticationError {
  return new AuthenticationError("ACCOUNT_LOCKED", `Too many failed logins; try again after ${until.toISOString()}`);
}

function slugFor(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);
  return `${base || "org"}-${crypto.randomUUID().slice(0, 8)}`;
}
