import * as schema from "@switchboard/schema";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { settleCallCredit } from "../edge/src/billing/ledger.js";
import type { Database } from "../edge/src/db/client.js";
import { claimDueCalls } from "../edge/src/dialer/claims.js";
import { bearer, createApiKey, ERROR_FIELDS, registerUser, resultOf, successData } from "./support/accounts.js";
import {
  apiKey,
  campaignAction,
  createPersonaContacts,
  pollUntil,
  sleep,
  waitForCampaignStatus,
} from "./support/calls.js";
import { firstRow, useDatabase } from "./support/database.js";
import { graphql } from "./support/http.js";

/**
 * Billing (issue 6 §1): accounts and their ledger through GraphQL, the ledger under concurrent reservations
 * from many connections, and a campaign on the emulator that runs out of credit and resumes after a top-up.
 */

const database = useDatabase();

const ACCOUNT_FIELDS = `id code name planType status isDefault country
  balance { unit balance reserved available used }`;

type Balance = { unit: string; balance: number; reserved: number; available: number; used: number };
type Account = {
  id: string;
  code: string;
  name: string;
  planType: string;
  status: string;
  isDefault: boolean;
  country: string;
  balance: Balance;
};
type Entry = { id: string; type: string; amount: number; balanceAfter: number | null; callId: string | null };

async function createAccount(headers: Record<string, string>, input: Record<string, unknown>): Promise<Account> {
  return successData<Account>(
    await graphql(
      `mutation ($input: CreateBillingAccountInput!) {
        createBillingAccount(input: $input) {
          ${ERROR_FIELDS} ... on MutationCreateBillingAccountSuccess { data { ${ACCOUNT_FIELDS} } }
        }
      }`,
      { input },
      headers,
    ),
    "createBillingAccount",
  );
}

function accountMutation(field: string, args: string, call: string) {
  return `mutation (${args}) {
    ${field}(${call}) {
      ${ERROR_FIELDS}
      ... on InsufficientCreditError { required available }
      ... on AccountStatusError { status }
      ... on ${`Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`} { data { ${ACCOUNT_FIELDS} } }
    }
  }`;
}

const topUpMutation = accountMutation(
  "topUpBillingAccount",
  "$id: ID!, $credits: Float!, $cost: Float",
  "id: $id, credits: $credits, cost: $cost",
);
const refundMutation = accountMutation(
  "refundBillingAccount",
  "$id: ID!, $credits: Float!",
  "id: $id, credits: $credits",
);
const suspendMutation = accountMutation("suspendBillingAccount", "$id: ID!", "id: $id");
const activateMutation = accountMutation("activateBillingAccount", "$id: ID!", "id: $id");

async function topUp(headers: Record<string, string>, id: string, credits: number): Promise<Account> {
  return successData<Account>(await graphql(topUpMutation, { id, credits }, headers), "topUpBillingAccount");
}

async function ledgerOf(headers: Record<string, string>, code: string): Promise<Entry[]> {
  const response = await graphql<{ billingAccount: { transactions: { edges: Array<{ node: Entry }> } } }>(
    `query ($code: String!) {
      billingAccount(code: $code) { transactions(first: 100) { edges { node { id type amount balanceAfter callId } } } }
    }`,
    { code },
    headers,
  );
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.billingAccount.transactions.edges.map((edge) => edge.node) ?? [];
}

/**
 * The balances as the ledger alone says (see schema/src/tables/billing.ts for what each type does), beside the
 * cached columns, for one account.
 */
async function ledgerAndCache(accountId: string) {
  return firstRow<{
    balance: number;
    reserved: number;
    used: number;
    ledger_balance: number;
    ledger_reserved: number;
    ledger_used: number;
  }>(
    database(),
    `select a.credit_balance::float8 as balance, a.credit_reserved::float8 as reserved, a.credit_used::float8 as used,
       coalesce(sum(case t.type when 'topup_credits' then t.amount when 'refund' then t.amount
         when 'adjustment' then t.amount when 'charge' then -t.amount else 0 end), 0)::float8 as ledger_balance,
       coalesce(sum(case t.type when 'reservation' then t.amount when 'release' then -t.amount
         when 'charge' then -t.amount else 0 end), 0)::float8 as ledger_reserved,
       coalesce(sum(case t.type when 'charge' then t.amount when 'refund' then -t.amount else 0 end), 0)::float8
         as ledger_used
     from accounts a left join credit_transactions t on t.account_id = a.id and t.org_id = a.org_id
     where a.id = $1 group by a.id`,
    [accountId],
  );
}

async function expectDerivedFromLedger(accountId: string): Promise<void> {
  const row = await ledgerAndCache(accountId);
  expect(row.balance).toBeCloseTo(row.ledger_balance, 4);
  expect(row.reserved).toBeCloseTo(row.ledger_reserved, 4);
  expect(row.used).toBeCloseTo(row.ledger_used, 4);
  expect(row.balance - row.reserved).toBeGreaterThanOrEqual(0);
}

const uuidOf = (globalId: string) => Buffer.from(globalId, "base64").toString("utf8").split(":")[1] ?? "";

describe("billing accounts through GraphQL", () => {
  let owner: Record<string, string>;

  beforeAll(async () => {
    owner = bearer((await registerUser("billing")).accessToken);
  });

  it("gives a new organisation an unlimited default account", async () => {
    const response = await graphql<{ billingAccounts: { edges: Array<{ node: Account }> } }>(
      `{ billingAccounts { edges { node { ${ACCOUNT_FIELDS} } } } }`,
      undefined,
      owner,
    );
    const accounts = response.body.data?.billingAccounts.edges.map((edge) => edge.node) ?? [];
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ isDefault: true, planType: "unlimited", status: "active" });
    expect(accounts[0]?.code).toMatch(/^acc-[0-9a-f]{12}$/);
  });

  it("creates accounts whose balances derive from the ledger: top-up, refund, suspend and activate", async () => {
    const account = await createAccount(owner, {
      name: "Client A",
      contactEmail: "Billing@Client-A.example",
      planType: "credit_based",
      initialCredits: 100,
    });
    expect(account).toMatchObject({ planType: "credit_based", status: "active", isDefault: false, country: "CL" });
    expect(account.code).toMatch(/^acc-[0-9a-f]{12}$/);
    expect(account.balance).toEqual({ unit: "credits", balance: 100, reserved: 0, available: 100, used: 0 });

    const topped = await topUp(owner, account.id, 50.5);
    expect(topped.balance).toMatchObject({ balance: 150.5, available: 150.5 });

    // Nothing was charged yet: a refund has nothing to give back.
    const refused = resultOf<{ required: number; available: number }>(
      await graphql(refundMutation, { id: account.id, credits: 1 }, owner),
      "refundBillingAccount",
    );
    expect(refused).toMatchObject({ __typename: "InsufficientCreditError", code: "INSUFFICIENT_CREDIT", required: 1 });

    const suspended = successData<Account>(
      await graphql(suspendMutation, { id: account.id }, owner),
      "suspendBillingAccount",
    );
    expect(suspended.status).toBe("suspended");
    const again = resultOf(await graphql(suspendMutation, { id: account.id }, owner), "suspendBillingAccount");
    expect(again.__typename).toBe("AccountStatusError");
    const active = successData<Account>(
      await graphql(activateMutation, { id: account.id }, owner),
      "activateBillingAccount",
    );
    expect(active.status).toBe("active");

    const ledger = await ledgerOf(owner, account.code);
    expect(ledger.map((entry) => [entry.type, entry.amount, entry.balanceAfter])).toEqual([
      ["topup_credits", 50.5, 150.5],
      ["topup_credits", 100, 100],
    ]);
    for (const entry of ledger) expect(entry.id).toMatch(/^txn_[0-9a-f]{16}$/);
    await expectDerivedFromLedger(uuidOf(account.id));
  });

  it("refuses bad input with typed errors, not 500s", async () => {
    const account = await createAccount(owner, { name: "Client B", code: "client_b" });
    const negative = resultOf(
      await graphql(topUpMutation, { id: account.id, credits: -5 }, owner),
      "topUpBillingAccount",
    );
    expect(negative.__typename).toBe("ValidationError");
    const duplicate = resultOf(
      await graphql(
        `mutation { createBillingAccount(input: { name: "Dup", code: "client_b" }) { ${ERROR_FIELDS} } }`,
        undefined,
        owner,
      ),
      "createBillingAccount",
    );
    expect(duplicate.__typename).toBe("ConflictError");
    const badPlan = await graphql(
      `mutation { createBillingAccount(input: { name: "X", planType: gold }) { __typename } }`,
      undefined,
      owner,
    );
    expect(badPlan.status).toBeLessThan(500);
    expect(badPlan.body.errors?.length).toBeGreaterThan(0);
  });

  it("is for organisation admins: a key without billing:manage is refused", async () => {
    const key = await createApiKey(owner, { scopes: ["CAMPAIGNS_READ", "CAMPAIGNS_WRITE"] });
    const response = await graphql(`{ billingAccounts { edges { node { id } } } }`, undefined, {
      "x-api-key": key.secret,
    });
    expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(["FORBIDDEN"]);
    // The legacy password acts as an admin of the demo organisation: it sees SpeechAI's example account.
    const legacy = await graphql<{ billingAccount: Account | null }>(
      `{ billingAccount(code: "retail_express") { ${ACCOUNT_FIELDS} } }`,
      undefined,
      apiKey(),
    );
    expect(legacy.body.data?.billingAccount).toMatchObject({ planType: "credit_based", isDefault: false });
  });
});

describe("the ledger under concurrent reservations", () => {
  const CONNECTIONS = 8;
  const CALLS_EACH = 6;
  const AFFORDABLE = 10;

  it("never overdraws: campaigns of one account claiming at once over separate connections", async () => {
    const owner = bearer((await registerUser("ledger")).accessToken);
    // Credit for exactly AFFORDABLE reservations (1.52 each) and a little more, never enough for one more.
    const account = await createAccount(owner, { name: "Race", planType: "credit_based", initialCredits: 15.5 });
    const accountId = uuidOf(account.id);
    const { org_id: orgId } = await firstRow<{ org_id: string }>(
      database(),
      "select org_id from accounts where id = $1",
      [accountId],
    );
    const campaignIds = await runningCampaigns(orgId, accountId, CONNECTIONS, CALLS_EACH);

    const clients = await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const client = new pg.Client({ connectionString: inject("databaseUrl") });
        await client.connect();
        return client;
      }),
    );
    try {
      const dbs = clients.map((client) => drizzle(client, { schema }) as unknown as Database);
      // Every connection keeps claiming for its campaign at the same time, three rounds each.
      const claimed = await Promise.all(
        dbs.map(async (db, index) => {
          let count = 0;
          for (let round = 0; round < 3; round++) {
            const claim = await claimDueCalls(db, campaignIds[index] ?? "", { dialable: true });
            if (claim.kind === "running") count += claim.claimed.length;
          }
          return count;
        }),
      );
      const total = claimed.reduce((sum, count) => sum + count, 0);
      expect(total).toBe(AFFORDABLE);
      const row = await ledgerAndCache(accountId);
      expect(row.reserved).toBeCloseTo(AFFORDABLE * 1.52, 4);
      expect(row.balance - row.reserved).toBeGreaterThanOrEqual(0);
      await expectDerivedFromLedger(accountId);

      // Settling them all at once, from every connection, releases exactly what was reserved.
      const { rows } = await database().query<{ id: string }>(
        "select id from calls where account_id = $1 and status = 'calling'",
        [accountId],
      );
      expect(rows).toHaveLength(AFFORDABLE);
      await Promise.all(
        rows.map((call, index) => settleCallCredit(dbs[index % CONNECTIONS] as Database, orgId, [call.id], 30)),
      );
      const settled = await ledgerAndCache(accountId);
      expect(settled.reserved).toBeCloseTo(0, 4);
      // Each 30-second call: 0.02 + 0.15 × 0.5 = 0.095.
      expect(settled.used).toBeCloseTo(AFFORDABLE * 0.095, 4);
      expect(settled.balance).toBeCloseTo(15.5 - AFFORDABLE * 0.095, 4);
      await expectDerivedFromLedger(accountId);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  it("refuses, in the database itself, a change that would leave a negative available balance", async () => {
    const owner = bearer((await registerUser("check")).accessToken);
    const account = await createAccount(owner, { name: "Check", planType: "credit_based", initialCredits: 1 });
    await expect(
      database().query("update accounts set credit_reserved = credit_reserved + 2 where id = $1", [uuidOf(account.id)]),
    ).rejects.toThrow(/accounts_credit_available_nonnegative/);
  });
});

/** `count` running campaigns of `calls` pending calls each, charged to the account (straight into the database). */
async function runningCampaigns(orgId: string, accountId: string, count: number, calls: number): Promise<string[]> {
  const { id: agentId } = await firstRow<{ id: string }>(
    database(),
    `insert into agents (org_id, slug, name, kind, mode, scenario)
     values ($1, $2, 'Race agent', 'voice', 'scenario', '{"name": "race", "steps": {}}') returning id`,
    [orgId, `race_${crypto.randomUUID().slice(0, 8)}`],
  );
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const { id } = await firstRow<{ id: string }>(
      database(),
      `insert into campaigns (org_id, account_id, agent_id, name, status, max_concurrent_calls, batch_size)
       values ($1, $2, $3, 'Race', 'running', 50, 20) returning id`,
      [orgId, accountId, agentId],
    );
    await database().query(
      `insert into calls (org_id, campaign_id, agent_id, account_id, to_number)
       select $1, $2, $3, $4, '+3361' || lpad((random() * 1e7)::int::text, 8, '0') from generate_series(1, $5)`,
      [orgId, id, agentId, accountId, calls],
    );
    ids.push(id);
  }
  return ids;
}

describe("a campaign that runs out of credit (emulator)", () => {
  type CallRow = { status: string; cost: number | null; reserved_credit: number };
  let campaignNumber = 0;
  let account: Account;

  const callsOf = async () =>
    (
      await database().query<CallRow>(
        `select c.status, c.cost::float8 as cost, c.reserved_credit::float8 as reserved_credit
         from calls c join campaigns k on k.id = c.campaign_id where k.number = $1 order by c.number`,
        [campaignNumber],
      )
    ).rows;
  const count = (calls: CallRow[], status: string) => calls.filter((call) => call.status === status).length;

  beforeAll(async () => {
    // Enough for one reservation (1.52) and not for a second once any answered call is charged (≥ 0.02).
    account = await createAccount(apiKey(), { name: "Runs out", planType: "credit_based", initialCredits: 1.53 });
    const contacts = await createPersonaContacts(database(), "61", [
      "not_interested",
      "not_interested",
      "not_interested",
      "not_interested",
    ]);
    const created = successData<{ number: number }>(
      await graphql(
        `mutation ($input: CreateCampaignInput!) {
          createCampaign(input: $input) { ${ERROR_FIELDS} ... on MutationCreateCampaignSuccess { data { number } } }
        }`,
        {
          input: {
            name: "Runs out of credit",
            scenario: "scenario_test_demo",
            contactNumbers: contacts.map((contact) => contact.number),
            billingAccountId: account.id,
            maxConcurrentCalls: 1,
            batchSize: 1,
          },
        },
        apiKey(),
      ),
      "createCampaign",
    );
    campaignNumber = created.number;
  });

  it("dials what the credit covers, then suspends the pending calls; a top-up resumes them to completion", async () => {
    const started = await campaignAction(campaignNumber, "start");
    expect(started.status).toBe(200);

    const held = await pollUntil(
      callsOf,
      (calls) => count(calls, "completed") === 1 && count(calls, "suspended") === 3,
      60_000,
    );
    expect(held.map((call) => call.status).sort()).toEqual(["completed", "suspended", "suspended", "suspended"]);
    const charged = held.find((call) => call.status === "completed")?.cost ?? 0;
    expect(charged).toBeGreaterThanOrEqual(0.02);
    expect(charged).toBeLessThanOrEqual(1.52);
    // Longer than the dialer's poll: nothing else is dialled while the credit is short.
    await sleep(3_500);
    expect(count(await callsOf(), "suspended")).toBe(3);
    const campaign = await graphql<{ campaigns: { edges: Array<{ node: { number: number; status: string } }> } }>(
      `{ campaigns(first: 5, status: running) { edges { node { number status } } } }`,
      undefined,
      apiKey(),
    );
    expect(campaign.body.data?.campaigns.edges.map((edge) => edge.node.number)).toContain(campaignNumber);

    const before = await ledgerOf(apiKey(), account.code);
    expect(before.map((entry) => entry.type)).toEqual(["release", "charge", "reservation", "topup_credits"]);
    expect(before[0]?.amount).toBeCloseTo(1.52 - charged, 4);
    await expectDerivedFromLedger(uuidOf(account.id));

    await topUp(apiKey(), account.id, 10);
    expect(await waitForCampaignStatus(campaignNumber, "completed", 90_000)).toBe("completed");
    const calls = await callsOf();
    expect(calls.map((call) => call.status)).toEqual(["completed", "completed", "completed", "completed"]);
    expect(calls.every((call) => call.reserved_credit === 0)).toBe(true);

    const final = await ledgerAndCache(uuidOf(account.id));
    const costs = calls.reduce((sum, call) => sum + (call.cost ?? 0), 0);
    expect(final.used).toBeCloseTo(costs, 4);
    expect(final.balance).toBeCloseTo(11.53 - costs, 4);
    expect(final.reserved).toBeCloseTo(0, 4);
    await expectDerivedFromLedger(uuidOf(account.id));
  }, 180_000);

  it("does not dial a suspended account's campaign until it is activated", async () => {
    const held = await createAccount(apiKey(), { name: "Suspended", planType: "credit_based", initialCredits: 20 });
    successData(await graphql(suspendMutation, { id: held.id }, apiKey()), "suspendBillingAccount");
    const contacts = await createPersonaContacts(database(), "62", ["not_interested", "not_interested"]);
    const created = successData<{ number: number }>(
      await graphql(
        `mutation ($input: CreateCampaignInput!) {
          createCampaign(input: $input) { ${ERROR_FIELDS} ... on MutationCreateCampaignSuccess { data { number } } }
        }`,
        {
          input: {
            name: "Suspended account",
            scenario: "scenario_test_demo",
            contactNumbers: contacts.map((contact) => contact.number),
            billingAccountId: held.id,
          },
        },
        apiKey(),
      ),
      "createCampaign",
    );
    expect((await campaignAction(created.number, "start")).status).toBe(200);
    await sleep(3_500);
    const waiting = await database().query<{ status: string }>(
      "select c.status from calls c join campaigns k on k.id = c.campaign_id where k.number = $1",
      [created.number],
    );
    expect(waiting.rows.map((row) => row.status)).toEqual(["pending", "pending"]);

    successData(await graphql(activateMutation, { id: held.id }, apiKey()), "activateBillingAccount");
    expect(await waitForCampaignStatus(created.number, "completed", 90_000)).toBe("completed");
    await expectDerivedFromLedger(uuidOf(held.id));
  }, 150_000);
});
