import { accounts, creditTransactions, type PlanType, planType } from "@switchboard/schema";
import { and, asc, count, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Database, Transaction } from "../db/client.js";
import { ConflictError, NotFoundError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { type KeysetPage, keyset } from "../shared/keyset.js";
import { parseInput } from "../shared/validate.js";
import { AccountStatusError, InsufficientCreditError } from "./errors.js";
import { appendRefund, appendTopUp, type LedgerEntry, resumeAccountCampaigns } from "./ledger.js";
import { estimateCost } from "./pricing.js";

type Reader = Pick<Database, "select">;

export type AccountRow = typeof accounts.$inferSelect;
/** An account with what it can still spend: balance − reserved. */
export type AccountView = AccountRow & { creditAvailable: number };
export type { LedgerEntry };

/** An account as surfaces name it: the uuid (GraphQL) or the public code (`acc-…`, `retail_express`; SpeechAI). */
export type AccountRef = { id: string } | { code: string };

/** After a change that can let calls be dialled again: the running campaigns whose dialers to wake. */
export type AccountChange = { account: AccountView; wakeCampaignIds: string[] };

const MAX_CREDITS = 1_000_000_000;
const credits = z.number().finite().positive().max(MAX_CREDITS);

export const createAccountInput = z.object({
  name: z.string().trim().min(1).max(200),
  code: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{1,62}$/, "lowercase letters, digits, _ and -, 2 to 63 characters")
    .optional(),
  contactName: z.string().trim().max(200).nullish(),
  contactEmail: z.string().trim().toLowerCase().pipe(z.email()).nullish(),
  contactPhone: z.string().trim().max(40).nullish(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "an ISO 3166 alpha-2 code")
    .transform((value) => value.toUpperCase())
    .default("CL"),
  planType: z.enum(planType.enumValues).default("credit_based"),
  initialCredits: z.number().finite().min(0).max(MAX_CREDITS).default(0),
});

export const topUpInput = z.object({
  credits,
  /** What the client paid, in minor units (SpeechAI's `cost`). */
  cost: z.number().finite().min(0).nullish(),
  description: z.string().trim().max(500).nullish(),
});

export const refundInput = z.object({
  credits,
  callId: z.string().refine(isUuid, "a call id").nullish(),
  description: z.string().trim().max(500).nullish(),
});

/** Creates an account of the caller's organisation; initial credits are its first top-up, in the same transaction. */
export async function createAccount(db: Database, orgId: string, input: unknown): Promise<AccountView> {
  const fields = parseInput(createAccountInput, input, "Invalid account");
  const id = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(accounts)
      .values({
        orgId,
        code: fields.code ?? newAccountCode(),
        name: fields.name,
        contactName: fields.contactName ?? null,
        contactEmail: fields.contactEmail ?? null,
        contactPhone: fields.contactPhone ?? null,
        country: fields.country,
        planType: fields.planType,
      })
      .onConflictDoNothing()
      .returning({ id: accounts.id });
    if (!row) throw new ConflictError(`An account with the id ${fields.code} already exists`);
    if (fields.initialCredits > 0) {
      await appendTopUp(
        tx,
        { orgId, accountId: row.id },
        {
          amount: fields.initialCredits,
          cost: null,
          description: "Initial credits",
        },
      );
    }
    return row.id;
  });
  return findAccount(db, orgId, { id });
}

/** SpeechAI's account id: `acc-` + 12 hex. */
export function newAccountCode(): string {
  return `acc-${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
}

/** The caller's account, or NotFoundError: another organisation's account does not exist for them. */
export async function findAccount(db: Reader, orgId: string, ref: AccountRef): Promise<AccountView> {
  const row = await lookup(db, orgId, ref);
  if (!row) throw new NotFoundError(describeAccount(ref));
  return view(row);
}

async function lookup(db: Reader, orgId: string, ref: AccountRef): Promise<AccountRow | undefined> {
  if ("id" in ref && !isUuid(ref.id)) return undefined;
  const match = "id" in ref ? eq(accounts.id, ref.id) : eq(accounts.code, ref.code);
  const [row] = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.orgId, orgId), match));
  return row;
}

function describeAccount(ref: AccountRef): string {
  return `Account ${"id" in ref ? ref.id : ref.code}`;
}

function view(row: AccountRow): AccountView {
  return { ...row, creditAvailable: round4(row.creditBalance - row.creditReserved) };
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

export async function accountsByIds(db: Database, orgId: string, ids: readonly string[]): Promise<AccountView[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  const rows = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.orgId, orgId), inArray(accounts.id, valid)));
  return rows.map(view);
}

/** Oldest first, offset-paged, with the total (SpeechAI's list). */
export async function listAccountPage(
  db: Database,
  orgId: string,
  page: { limit: number; offset: number },
): Promise<{ total: number; accounts: AccountView[] }> {
  const where = eq(accounts.orgId, orgId);
  const [totals] = await db.select({ total: count() }).from(accounts).where(where);
  const rows = await db
    .select()
    .from(accounts)
    .where(where)
    .orderBy(asc(accounts.createdAt), asc(accounts.code))
    .limit(page.limit)
    .offset(page.offset);
  return { total: totals?.total ?? 0, accounts: rows.map(view) };
}

/** By code, keyset-paged (GraphQL connections). */
export async function listAccounts(db: Database, orgId: string, page: KeysetPage<string>): Promise<AccountView[]> {
  const { conditions, orderBy, limit } = keyset(accounts.code, page, "asc");
  const rows = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.orgId, orgId), ...conditions))
    .orderBy(orderBy)
    .limit(limit);
  return rows.map(view);
}

/**
 * Adds credits. Calls held for credit go back to waiting and the account's running campaigns come back to be
 * woken; in two statements of one transaction (see resumeAccountCampaigns for why two).
 */
export async function topUp(db: Database, orgId: string, ref: AccountRef, input: unknown): Promise<AccountChange> {
  const fields = parseInput(topUpInput, input, "Invalid top-up");
  return db.transaction(async (tx) => {
    const account = await lockedAccount(tx, orgId, ref);
    await appendTopUp(
      tx,
      { orgId, accountId: account.id },
      {
        amount: fields.credits,
        cost: fields.cost ?? null,
        description: fields.description ?? "Credit top-up",
      },
    );
    const wakeCampaignIds = await resumeAccountCampaigns(tx, { orgId, accountId: account.id });
    return { account: await findAccount(tx, orgId, { id: account.id }), wakeCampaignIds };
  });
}

/** Gives back credit that was charged (a call billed in error); never more than the account has been charged. */
export async function refund(db: Database, orgId: string, ref: AccountRef, input: unknown): Promise<AccountChange> {
  const fields = parseInput(refundInput, input, "Invalid refund");
  return db.transaction(async (tx) => {
    const account = await lockedAccount(tx, orgId, ref);
    const balance = await appendRefund(
      tx,
      { orgId, accountId: account.id },
      {
        amount: fields.credits,
        callId: fields.callId ?? null,
        description: fields.description ?? "Refund",
      },
    );
    if (balance === null) {
      throw new InsufficientCreditError(
        account.code,
        fields.credits,
        account.creditUsed,
        `Cannot refund ${fields.credits}: account ${account.code} has been charged ${account.creditUsed}`,
      );
    }
    const wakeCampaignIds = await resumeAccountCampaigns(tx, { orgId, accountId: account.id });
    return { account: await findAccount(tx, orgId, { id: account.id }), wakeCampaignIds };
  });
}

/** A suspended account's campaigns place no call until it is activated (calls in flight finish). */
export async function suspendAccount(db: Database, orgId: string, ref: AccountRef): Promise<AccountView> {
  return db.transaction(async (tx) => {
    const account = await lockedAccount(tx, orgId, ref);
    if (account.status === "suspended") {
      throw new AccountStatusError(account.code, account.status, `Account ${account.code} is already suspended`);
    }
    await tx
      .update(accounts)
      .set({ status: "suspended", updatedAt: new Date() })
      .where(and(eq(accounts.orgId, orgId), eq(accounts.id, account.id)));
    return findAccount(tx, orgId, { id: account.id });
  });
}

/** Lets the account's campaigns dial again: their dialers are to be woken. */
export async function activateAccount(db: Database, orgId: string, ref: AccountRef): Promise<AccountChange> {
  return db.transaction(async (tx) => {
    const account = await lockedAccount(tx, orgId, ref);
    if (account.status === "active") {
      throw new AccountStatusError(account.code, account.status, `Account ${account.code} is already active`);
    }
    await tx
      .update(accounts)
      .set({ status: "active", updatedAt: new Date() })
      .where(and(eq(accounts.orgId, orgId), eq(accounts.id, account.id)));
    const wakeCampaignIds = await resumeAccountCampaigns(tx, { orgId, accountId: account.id });
    return { account: await findAccount(tx, orgId, { id: account.id }), wakeCampaignIds };
  });
}

async function lockedAccount(tx: Transaction, orgId: string, ref: AccountRef): Promise<AccountRow> {
  if ("id" in ref && !isUuid(ref.id)) throw new NotFoundError(describeAccount(ref));
  const match = "id" in ref ? eq(accounts.id, ref.id) : eq(accounts.code, ref.code);
  const [row] = await tx
    .select()
    .from(accounts)
    .where(and(eq(accounts.orgId, orgId), match))
    .for("no key update");
  if (!row) throw new NotFoundError(describeAccount(ref));
  return row;
}

/** The account's ledger, newest first, offset-paged, with the total (SpeechAI's transactions). */
export async function listTransactionPage(
  db: Database,
  orgId: string,
  ref: AccountRef,
  page: { limit: number; offset: number },
): Promise<{ total: number; transactions: LedgerEntry[] }> {
  const account = await findAccount(db, orgId, ref);
  const where = and(eq(creditTransactions.orgId, orgId), eq(creditTransactions.accountId, account.id));
  const [totals] = await db.select({ total: count() }).from(creditTransactions).where(where);
  const transactions = await db
    .select()
    .from(creditTransactions)
    .where(where)
    .orderBy(desc(creditTransactions.number))
    .limit(page.limit)
    .offset(page.offset);
  return { total: totals?.total ?? 0, transactions };
}

/** Newest first, keyset-paged by the ledger's number (GraphQL connections). */
export function listTransactions(
  db: Database,
  orgId: string,
  accountId: string,
  page: KeysetPage<number>,
): Promise<LedgerEntry[]> {
  const { conditions, orderBy, limit } = keyset(creditTransactions.number, page, "desc");
  return db
    .select()
    .from(creditTransactions)
    .where(and(eq(creditTransactions.orgId, orgId), eq(creditTransactions.accountId, accountId), ...conditions))
    .orderBy(orderBy)
    .limit(limit);
}

/**
 * The account a new campaign is charged to: the one named (by id or code), else the organisation's default.
 * Another organisation's account is NotFoundError.
 */
export async function accountForCampaign(tx: Reader, orgId: string, ref: AccountRef | undefined): Promise<AccountRow> {
  if (ref) {
    const row = await lookup(tx, orgId, ref);
    if (!row) throw new NotFoundError(describeAccount(ref));
    return row;
  }
  const [row] = await tx
    .select()
    .from(accounts)
    .where(and(eq(accounts.orgId, orgId), eq(accounts.isDefault, true)));
  if (!row) throw new NotFoundError("Default billing account");
  return row;
}

/** The account row locked until the transaction ends, so two spenders cannot both count the same credit. */
export async function lockAccount(tx: Reader, orgId: string, accountId: string): Promise<AccountRow> {
  const [row] = await tx
    .select()
    .from(accounts)
    .where(and(eq(accounts.orgId, orgId), eq(accounts.id, accountId)))
    .for("no key update");
  if (!row) throw new NotFoundError(`Account ${accountId}`);
  return row;
}

/**
 * Refuses work the account cannot take now (a batch of `contacts` calls): a suspended account takes none, and
 * available credit must cover the estimate. Returns the estimate.
 */
export function assertCanAfford(account: AccountRow, contacts: number): number {
  if (account.status === "suspended") {
    throw new AccountStatusError(account.code, "suspended", `Account ${account.code} is suspended`);
  }
  const estimate = estimateCost(account.planType as PlanType, contacts);
  const available = round4(account.creditBalance - account.creditReserved);
  if (estimate > available) throw new InsufficientCreditError(account.code, estimate, available);
  return estimate;
}
