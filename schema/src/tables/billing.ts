import { sql } from "drizzle-orm";
import { boolean, index, numeric, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { accountStatus, creditTransactionType, planType } from "../enums.js";
import { createdAt, id, orgId, updatedAt } from "./columns.js";

/** A billing account inside an organisation (SpeechAI's accounts). An agency runs one per client. */
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
    creditBalance: numeric("credit_balance", { precision: 14, scale: 4, mode: "number" }).notNull().default(0),
    creditReserved: numeric("credit_reserved", { precision: 14, scale: 4, mode: "number" }).notNull().default(0),
    creditUsed: numeric("credit_used", { precision: 14, scale: 4, mode: "number" }).notNull().default(0),
    /** The account charged when a campaign names none. */
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("accounts_org_code_key").on(t.orgId, t.code),
    uniqueIndex("accounts_org_default_key").on(t.orgId).where(sql`${t.isDefault}`),
  ],
);

export const creditTransactions = pgTable(
  "credit_transactions",
  {
    id: id(),
    orgId: orgId(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** Public id, `txn_…`. */
    code: text("code").notNull().unique(),
    type: creditTransactionType("type").notNull(),
    amount: numeric("amount", { precision: 14, scale: 4, mode: "number" }).notNull(),
    /** Money paid for a top-up, in the account's currency minor units. */
    cost: numeric("cost", { precision: 14, scale: 4, mode: "number" }),
    balanceAfter: numeric("balance_after", { precision: 14, scale: 4, mode: "number" }),
    campaignId: uuid("campaign_id"),
    callId: uuid("call_id"),
    description: text("description"),
    /** Makes reserve/settle steps safe to replay. */
    idempotencyKey: text("idempotency_key"),
    createdAt: createdAt(),
  },
  (t) => [
    index("credit_transactions_org_account_idx").on(t.orgId, t.accountId, t.createdAt),
    uniqueIndex("credit_transactions_org_idempotency_key").on(t.orgId, t.idempotencyKey),
  ],
);
