import { accounts, calls, campaigns, creditTransactions } from "@switchboard/schema";
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { callCharges } from "./pricing.js";

/**
 * The only writer of the ledger and of the balances cached on `accounts`.
 *
 * Design: every change is ONE SQL statement that updates the account row and appends its ledger row(s)
 * together (data-modifying CTEs), so the cache and the ledger commit or fail as one. Concurrency is the
 * database's: an UPDATE locks the account row, a concurrent one waits and then re-checks its WHERE against
 * the committed row (READ COMMITTED re-evaluation), so a conditional debit (`… and balance − reserved ≥ x`)
 * cannot pass twice on the same credit. The CHECK constraints on `accounts` (reserved ≥ 0, balance ≥
 * reserved, used ≥ 0) are the last line: any statement that would overdraw fails instead of committing.
 * A call's reservation lives on the call row (`reserved_credit`), which is locked whenever it is settled, so
 * a reservation is charged or released exactly once.
 */

type Executor = Pick<Database, "execute">;

export type LedgerEntry = typeof creditTransactions.$inferSelect;

type AccountKey = { orgId: string; accountId: string };

/** Adds credit (a top-up, +balance); returns the new balance, or null when the account is not the org's. */
export async function appendTopUp(
  exec: Executor,
  key: AccountKey,
  entry: { amount: number; cost: number | null; description: string },
): Promise<number | null> {
  return balanceChange(exec, key, {
    type: "topup_credits",
    amount: entry.amount,
    cost: entry.cost,
    description: entry.description,
    set: sql`credit_balance = a.credit_balance + ${entry.amount}::numeric`,
    guard: sql`true`,
  });
}

/** Gives charged credit back (+balance, −used); null when the account is unknown or was charged less. */
export async function appendRefund(
  exec: Executor,
  key: AccountKey,
  entry: { amount: number; callId: string | null; description: string },
): Promise<number | null> {
  return balanceChange(exec, key, {
    type: "refund",
    amount: entry.amount,
    cost: null,
    callId: entry.callId,
    description: entry.description,
    set: sql`credit_balance = a.credit_balance + ${entry.amount}::numeric, credit_used = a.credit_used - ${entry.amount}::numeric`,
    guard: sql`a.credit_used >= ${entry.amount}::numeric`,
  });
}

async function balanceChange(
  exec: Executor,
  key: AccountKey,
  change: {
    type: "topup_credits" | "refund";
    amount: number;
    cost: number | null;
    callId?: string | null;
    description: string;
    set: SQL;
    guard: SQL;
  },
): Promise<number | null> {
  const result = await exec.execute(sql`
    with account as (
      update ${accounts} as a set ${change.set}, updated_at = now()
      where a.id = ${key.accountId} and a.org_id = ${key.orgId} and ${change.guard}
      returning a.id, a.org_id, a.credit_balance
    ), entry as (
      insert into ${creditTransactions} (org_id, account_id, type, amount, cost, balance_after, call_id, description)
      select org_id, id, ${change.type}::credit_transaction_type, ${change.amount}::numeric, ${change.cost}::numeric,
        credit_balance, ${change.callId ?? null}::uuid, ${change.description}::text
      from account
    )
    select credit_balance from account`);
  const row = result.rows[0] as { credit_balance: string } | undefined;
  return row ? Number(row.credit_balance) : null;
}

/**
 * The part of the dialer's claim statement that reserves credit (edge/src/dialer/claims.ts): a CTE named
 * `reserved` that holds `perCall` for each row of the CTE `due`, only if the account's available credit covers
 * them all. It returns one row when it did; the claim then takes the calls (and writes one ledger row each,
 * see reservationEntries). With perCall = 0 (unlimited) it is skipped and never blocks.
 */
export function reserveForDue(key: AccountKey, perCall: number): SQL {
  return sql`reserved as (
      update ${accounts} as a
      set credit_reserved = a.credit_reserved + ${perCall}::numeric * (select count(*) from due), updated_at = now()
      where a.id = ${key.accountId} and a.org_id = ${key.orgId} and ${perCall}::numeric > 0
        and a.credit_balance - a.credit_reserved >= ${perCall}::numeric * (select count(*) from due)
      returning a.id, a.credit_balance
    )`;
}

/** Whether the claim may take its due calls: credit reserved, or nothing to reserve. */
export function reservationHeld(perCall: number): SQL {
  return perCall > 0 ? sql`exists (select 1 from reserved)` : sql`true`;
}

/** One reservation ledger row per claimed call (CTE `claimed` with id, org_id, campaign_id). */
export function reservationEntries(perCall: number): SQL {
  return sql`reservation_entries as (
      insert into ${creditTransactions} (org_id, account_id, type, amount, balance_after, campaign_id, call_id, description)
      select claimed.org_id, reserved.id, 'reservation'::credit_transaction_type, ${perCall}::numeric, reserved.credit_balance,
        claimed.campaign_id, claimed.id, 'Reserved for a call'::text
      from claimed cross join reserved
    )`;
}

/**
 * Settles the reservation of each call in `callIds` (a call with none is left alone): the dial's real cost is
 * charged (capped at its reservation) and the rest released, in one statement. `billedSeconds` > 0 charges
 * setup + per minute (credit plans) or the minutes (minutes plans); 0 releases everything. The cost is added
 * to the call's (a retried call pays for each answered dial).
 */
export async function settleCallCredit(
  exec: Executor,
  orgId: string,
  callIds: readonly string[],
  billedSeconds = 0,
): Promise<void> {
  if (callIds.length === 0) return;
  const charges = callCharges(billedSeconds);
  await exec.execute(sql`
    with target as (
      select c.id, c.org_id, c.account_id, c.campaign_id, c.reserved_credit as reserved,
        least(c.reserved_credit, case a.plan_type
          when 'credit_based' then ${charges.creditBased}::numeric
          when 'minutes' then ${charges.minutes}::numeric
          else 0 end) as charge
      from ${calls} as c join ${accounts} as a on a.id = c.account_id and a.org_id = c.org_id
      where c.org_id = ${orgId} and c.id = any(${sql.param([...callIds])}::uuid[]) and c.reserved_credit > 0
    ), cleared as (
      update ${calls} as c set reserved_credit = 0, cost = coalesce(c.cost, 0) + t.charge
      from target as t where c.id = t.id and c.org_id = t.org_id
    ), totals as (
      select account_id, sum(reserved) as reserved, sum(charge) as charge from target group by account_id
    ), account as (
      update ${accounts} as a
      set credit_balance = a.credit_balance - t.charge, credit_reserved = a.credit_reserved - t.reserved,
        credit_used = a.credit_used + t.charge, updated_at = now()
      from totals as t where a.id = t.account_id and a.org_id = ${orgId}
      returning a.id, a.credit_balance
    )
    insert into ${creditTransactions} (org_id, account_id, type, amount, balance_after, campaign_id, call_id, description)
    select t.org_id, t.account_id, entry.type::credit_transaction_type, entry.amount, account.credit_balance,
      t.campaign_id, t.id, entry.description
    from target as t join account on account.id = t.account_id
    cross join lateral (values
      ('charge', t.charge, 'Call charged'::text),
      ('release', t.reserved - t.charge, 'Unused reservation released')
    ) as entry(type, amount, description)
    where entry.amount > 0`);
}

/**
 * The account's campaigns that waited for credit or for the account's activation may dial again: calls held
 * for credit go back to waiting (a retry keeps its time), and the ids of its running campaigns come back so
 * their dialers are woken. A separate statement from the credit change, on purpose: it must see calls a
 * dialer suspended while that change waited for the account row (see suspendForCredit in the dialer).
 */
export async function resumeAccountCampaigns(exec: Executor, key: AccountKey): Promise<string[]> {
  const result = await exec.execute(sql`
    with account_campaigns as (
      select k.id, k.status from ${campaigns} as k where k.org_id = ${key.orgId} and k.account_id = ${key.accountId}
    ), resumed as (
      update ${calls} as c
      set status = case when c.next_attempt_at is null then 'pending'::call_status else 'scheduled'::call_status end,
        updated_at = now()
      where c.org_id = ${key.orgId} and c.campaign_id in (select id from account_campaigns) and c.status = 'suspended'
    )
    select id from account_campaigns where status = 'running'`);
  return (result.rows as Array<{ id: string }>).map((row) => String(row.id));
}
