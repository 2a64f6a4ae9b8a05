import * as schema from "@switchboard/schema";
import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";
import { settleCallCredit } from "../../edge/src/billing/ledger.js";
import { createAccount } from "../../edge/src/billing/service.js";
import type { Database } from "../../edge/src/db/client.js";
import { claimDueCalls } from "../../edge/src/dialer/claims.js";
import { BenchFailure, type Figures, printTable, runBench, seededDatabase, timeSteps, withClient } from "./support.js";

/**
 * `npx tsx test/bench/billing.bench.ts`: what credit costs the dialer, against the embedded database (or a
 * throw-away database on DATABASE_URL's server), over one open connection as the dialer's Durable Object has.
 * - a dialer tick claiming 20 calls on an unlimited account (the baseline: no reservation) beside the same tick
 *   on a credit-based account (the claim statement also reserves and writes 20 ledger rows);
 * - settling one call (charge + release, one statement) beside a one-statement write on the call (the baseline).
 */
const TICKS = 100;
/** Ticks per campaign before measuring, so neither figure carries the warm-up (plans, caches). */
const WARM_UP_TICKS = 20;
const BATCH = 20;

type Row = Figures & { label: string };

async function main(): Promise<void> {
  const database = await seededDatabase("scratch");
  console.log(`database: ${database.label}`);
  await withClient(database.url, async (client) => {
    const db = drizzle(client, { schema }) as unknown as Database;
    const credit = await createAccount(db, database.orgId, {
      name: "Bench credit",
      planType: "credit_based",
      initialCredits: 1_000_000,
    });
    const unlimited = await createAccount(db, database.orgId, { name: "Bench unlimited", planType: "unlimited" });
    const unlimitedCampaign = await runningCampaign(client, database.orgId, unlimited.id);
    const creditCampaign = await runningCampaign(client, database.orgId, credit.id);

    const tick = (campaignId: string) => async () => {
      const claim = await claimDueCalls(db, campaignId, { dialable: true });
      if (claim.kind !== "running" || claim.claimed.length !== BATCH) {
        throw new BenchFailure(`tick claimed ${claim.kind === "running" ? claim.claimed.length : claim.kind}`);
      }
    };
    const rows: Row[] = [
      {
        label: `tick claiming ${BATCH} calls, unlimited account (baseline)`,
        ...(await ticks(tick(unlimitedCampaign))),
      },
      { label: `tick claiming ${BATCH} calls, credit account (+ reservation)`, ...(await ticks(tick(creditCampaign))) },
    ];

    const reserved = await callIds(client, creditCampaign);
    const plain = await callIds(client, unlimitedCampaign);
    rows.push({
      label: "one write on a call (baseline)",
      ...(await timeSteps(
        async () => {
          await client.query("update calls set billable_seconds = 30 where id = $1", [plain.pop()]);
        },
        { count: plain.length },
      )),
    });
    rows.push({
      label: "settle one call: charge + release",
      ...(await timeSteps(() => settleCallCredit(db, database.orgId, [reserved.pop() ?? ""], 30), {
        count: reserved.length,
      })),
    });
    await checkLedger(client, credit.id);
    printTable(
      ["step", "count", "p50 ms", "p99 ms"],
      rows.map((row) => [row.label, String(row.requests), row.p50.toFixed(2), row.p99.toFixed(2)]),
    );
  });
}

function ticks(step: () => Promise<void>): Promise<Figures> {
  return timeSteps(step, { count: TICKS });
}

/** A running campaign with (WARM_UP_TICKS + TICKS) × BATCH pending calls and no concurrency cap in the way. */
async function runningCampaign(client: pg.Client, orgId: string, accountId: string): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `insert into campaigns (org_id, account_id, agent_id, name, status, max_concurrent_calls, batch_size)
     select $1, $2, a.id, 'Billing bench', 'running', 1000000, $3 from agents a where a.org_id = $1 and a.slug = 'scenario_test_demo'
     returning id`,
    [orgId, accountId, BATCH],
  );
  const id = rows[0]?.id;
  if (!id) throw new BenchFailure("no scenario_test_demo agent");
  await client.query(
    `insert into calls (org_id, campaign_id, account_id, to_number)
     select $1, $2, $3, '+3361' || lpad(n::text, 8, '0') from generate_series(1, $4) as n`,
    [orgId, id, accountId, (WARM_UP_TICKS + TICKS) * BATCH],
  );
  return id;
}

async function callIds(client: pg.Client, campaignId: string): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>("select id from calls where campaign_id = $1", [campaignId]);
  return rows.map((row) => row.id);
}

/** The figures only count if the ledger still explains the account. */
async function checkLedger(client: pg.Client, accountId: string): Promise<void> {
  const { rows } = await client.query<{ consistent: boolean; reserved: string }>(
    `select a.credit_reserved = coalesce(sum(case t.type when 'reservation' then t.amount when 'release' then -t.amount
       when 'charge' then -t.amount else 0 end), 0) as consistent, a.credit_reserved::text as reserved
     from accounts a left join credit_transactions t on t.account_id = a.id where a.id = $1 group by a.id`,
    [accountId],
  );
  if (!rows[0]?.consistent) throw new BenchFailure(`ledger and account disagree: ${JSON.stringify(rows[0])}`);
  if (Number(rows[0].reserved) !== 0) throw new BenchFailure(`credit still reserved: ${rows[0].reserved}`);
}

await runBench(main);
