import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, numeric, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { accountStatus, creditTransactionType, planType } from "../enums.js";
import { createdAt, id, orgId, updatedAt } from "./columns.js";

const credit = (name: string) => numeric(name, { precision: 14, scale: 4, mode: "number" });

/**
 * A billing account inside an organisation (SpeechAI's accounts). An agency runs one per client.
 *
 * credit_balance, credit_reserved and credit_used are a cache of the ledger (credit_transactions): every
 * change to them is made by the same SQL statement that appends its ledger row (edge/src/billing/ledger.ts),
 * so they never disagree with it. The CHECKs make an overdraft impossible whatever runs concurrently: a
 * reservation that would leave available (balance − reserved) below zero fails instead of committing.
 */
export const accounts = pgTable(
  "accounts",
  {
    id: id(),
    orgId: orgId(),
    /** Public id: `acc-` + 12 hex, or a chosen slug such as `retail_express`. */
    code: text("code").notNull(),
    name: text("name").notNull(),
    contactName: text("contact_name"),
    contactEmail: text("contact_email"),
    contactPhone: text("contact_phone"),
    /** ISO 3166 alpha-2, used to normalise phone numbers. */
    country: text("country").notNull().default("CL"),
    planType: planType("plan_type").notNull().default("credit_based"),
    status: accountStatus("status").notNull().default("active"),
    creditBalance: credit("credit_balance").notNull().default(0),
    creditReserved: credit("credit_reserved").notNull().default(0),
    creditUsed: credit("credit_used").notNull().default(0),
    /** The account charged when a campaign names none. */
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("accounts_org_code_key").on(t.orgId, t.code),
    uniqueIndex("accounts_org_default_key").on(t.orgId).where(sql`${t.isDefault}`),
    check("accounts_credit_reserved_nonnegative", sql`${t.creditReserved} >= 0`),
    check("accounts_credit_available_nonnegative", sql`${t.creditBalance} >= ${t.creditReserved}`),
    check("accounts_credit_used_nonnegative", sql`${t.creditUsed} >= 0`),
  ],
);

/**
 * The append-only ledger. What each type does to the account (the only writer is edge/src/billing/ledger.ts):
 * topup_credits +balance; reservation +reserved; release −reserved; charge −balance −reserved +used (a charge
 * consumes part of a call's reservation); refund +balance −used; adjustment ±balance (opening balances).
 */
export const creditTransactions = pgTable(
  "credit_transactions",
  {
    id: id(),
    orgId: orgId(),
    /** Orders the ledger and pages it (ties in created_at are common: one statement writes several rows). */
    number: bigint("number", { mode: "number" }).notNull().generatedByDefaultAsIdentity(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** Public id, `txn_…`. */
    code: text("code").notNull().unique().default(sql`'txn_' || left(replace(gen_random_uuid()::text, '-', ''), 16)`),
    type: creditTransactionType("type").notNull(),
    amount: credit("amount").notNull(),
    /** Money paid for a top-up, in the account's currency minor units. */
    cost: credit("cost"),
    balanceAfter: credit("balance_after"),
    campaignId: uuid("campaign_id"),
    callId: uuid("call_id"),
    description: text("description"),
    /** Makes reserve/settle steps safe to replay. */
    idempotencyKey: text("idempotency_key"),
    createdAt: createdAt(),
  },
  (t) => [
    index("credit_transactions_org_account_idx").on(t.orgId, t.accountId, t.createdAt),
    index("credit_transactions_org_account_number_idx").on(t.orgId, t.accountId, t.number),
    uniqueIndex("credit_transactions_org_idempotency_key").on(t.orgId, t.idempotencyKey),
    check("credit_transactions_amount_positive", sql`${t.type} = 'adjustment' or ${t.amount} > 0`),
  ],
);
