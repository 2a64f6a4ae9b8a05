import { describe, expect, it } from "vitest";
import { bearer, createApiKey, registerUser } from "../../support/accounts.js";
import { createAccount, expectDetail, expectOk, expectValidation, speechAi, TIMESTAMP } from "./client.js";

/** The document's "Accounts (Cuentas)" examples, replayed against the worker. */

const DOC_CREATE_BODY = {
  account_name: "Mi Empresa",
  contact_name: "Juan Pérez",
  contact_email: "juan@empresa.com",
  contact_phone: "+56912345678",
  plan_type: "credit_based",
  initial_credits: 100.0,
};

describe("accounts", () => {
  it("creates an account with the documented body and answers with an acc- id", async () => {
    const body = expectOk(await speechAi("POST", "/accounts", { body: DOC_CREATE_BODY }));
    expect(body).toEqual({
      success: true,
      account_id: expect.stringMatching(/^acc-[0-9a-f]{12}$/),
      message: "Account created successfully",
    });
    const account = expectOk(await speechAi("GET", `/accounts/${body.account_id}`));
    expect(account).toEqual({
      account_id: body.account_id,
      account_name: "Mi Empresa",
      plan_type: "credit_based",
      status: "active",
      credit_balance: 100,
      credit_used: 0,
      created_at: expect.stringMatching(TIMESTAMP),
    });
  });

  it("reads the documented retail_express account and its balance", async () => {
    const account = expectOk(await speechAi("GET", "/accounts/retail_express"));
    expect(account).toMatchObject({
      account_id: "retail_express",
      account_name: "Retail Express Corp",
      plan_type: "credit_based",
    });
    expect(Object.keys(account).sort()).toEqual(
      ["account_id", "account_name", "plan_type", "status", "credit_balance", "credit_used", "created_at"].sort(),
    );
    const balance = expectOk<Record<string, number>>(await speechAi("GET", "/accounts/retail_express/balance"));
    expect(Object.keys(balance).sort()).toEqual(
      ["account_id", "plan_type", "credit_balance", "credit_available", "credit_reserved", "credit_used"].sort(),
    );
    expect(balance.credit_available).toBeCloseTo((balance.credit_balance ?? 0) - (balance.credit_reserved ?? 0), 4);
  });

  it("tops up, and the ledger shows the top-up newest first", async () => {
    const id = await createAccount(150.5);
    const topUp = expectOk(await speechAi("POST", `/accounts/${id}/topup`, { body: { credits: 100.0 } }));
    expect(topUp).toEqual({ success: true, new_balance: 250.5, amount_added: 100 });
    const balance = expectOk(await speechAi("GET", `/accounts/${id}/balance`));
    expect(balance).toEqual({
      account_id: id,
      plan_type: "credit_based",
      credit_balance: 250.5,
      credit_available: 250.5,
      credit_reserved: 0,
      credit_used: 0,
    });
    const ledger = expectOk<{ transactions: Array<Record<string, unknown>>; total: number }>(
      await speechAi("GET", `/accounts/${id}/transactions?limit=50&skip=0`),
    );
    expect(ledger.total).toBe(2);
    expect(ledger.transactions[0]).toEqual({
      transaction_id: expect.stringMatching(/^txn_[0-9a-f]+$/),
      type: "topup_credits",
      amount: 100,
      cost: null,
      description: expect.any(String),
      created_at: expect.stringMatching(TIMESTAMP),
    });
    expect(ledger.transactions[1]).toMatchObject({ type: "topup_credits", amount: 150.5 });
    const second = expectOk<{ transactions: unknown[]; total: number }>(
      await speechAi("GET", `/accounts/${id}/transactions?limit=1&skip=1`),
    );
    expect(second.total).toBe(2);
    expect(second.transactions).toEqual([ledger.transactions[1]]);
  });

  it("lists the organisation's accounts with a total, paged by limit and skip", async () => {
    const id = await createAccount(5);
    const all = expectOk<{ accounts: Array<Record<string, unknown>>; total: number }>(
      await speechAi("GET", "/accounts?limit=1000&skip=0"),
    );
    expect(all.total).toBeGreaterThanOrEqual(2);
    expect(all.accounts).toContainEqual({
      account_id: id,
      account_name: expect.any(String),
      status: "active",
      credit_balance: 5,
    });
    expect(all.accounts).toContainEqual(expect.objectContaining({ account_id: "retail_express" }));
    const page = expectOk<{ accounts: unknown[]; total: number }>(await speechAi("GET", "/accounts?limit=1&skip=1"));
    expect(page.accounts).toEqual([all.accounts[1]]);
  });

  it("suspends and activates an account, refusing to repeat either", async () => {
    const id = await createAccount(10);
    expect(expectOk(await speechAi("PUT", `/accounts/${id}/suspend`))).toEqual({
      success: true,
      message: "Account suspended",
      account_id: id,
      status: "suspended",
    });
    expect(expectOk(await speechAi("GET", `/accounts/${id}`))).toMatchObject({ status: "suspended" });
    expectDetail(await speechAi("PUT", `/accounts/${id}/suspend`), 400, /already suspended/);
    expect(expectOk(await speechAi("PUT", `/accounts/${id}/activate`))).toMatchObject({ status: "active" });
    expectDetail(await speechAi("PUT", `/accounts/${id}/activate`), 400, /already active/);
  });
});

describe("errors, FastAPI-style", () => {
  it("is 404 with a detail for an unknown account", async () => {
    for (const path of ["", "/balance", "/transactions"]) {
      expectDetail(await speechAi("GET", `/accounts/acc-000000000000${path}`), 404, /not found/);
    }
    expectDetail(await speechAi("POST", "/accounts/acc-000000000000/topup", { body: { credits: 5 } }), 404);
    expectDetail(await speechAi("PUT", "/accounts/acc-000000000000/suspend"), 404);
  });

  it("is 422 with detail[{loc,msg,type}] for a bad body or query", async () => {
    const missing = expectValidation(await speechAi("POST", "/accounts", { body: { plan_type: "credit_based" } }));
    expect(missing).toContainEqual({
      loc: ["body", "account_name"],
      msg: "field required",
      type: "value_error.missing",
    });
    const plan = expectValidation(
      await speechAi("POST", "/accounts", { body: { account_name: "X", plan_type: "gold" } }),
    );
    expect(plan[0]?.loc).toEqual(["body", "plan_type"]);
    const negative = expectValidation(
      await speechAi("POST", "/accounts/retail_express/topup", { body: { credits: -5 } }),
    );
    expect(negative[0]?.loc).toEqual(["body", "credits"]);
    const text = expectValidation(
      await speechAi("POST", "/accounts/retail_express/topup", { body: { credits: "ten" } }),
    );
    expect(text[0]).toMatchObject({ loc: ["body", "credits"], type: "type_error.number" });
    expectValidation(await speechAi("GET", "/accounts?limit=0"));
    expectValidation(await speechAi("GET", "/accounts?skip=-1"));
    const json = expectValidation(
      await speechAi("POST", "/accounts", { rawBody: "{not json", headers: { "content-type": "application/json" } }),
    );
    expect(json[0]?.loc).toEqual(["body"]);
  });

  it("is 422 for a malformed e-mail and 409 for a taken account id", async () => {
    const email = expectValidation(
      await speechAi("POST", "/accounts", { body: { account_name: "X", contact_email: "not-an-email" } }),
    );
    expect(email[0]?.loc).toEqual(["body", "contact_email"]);
    expectDetail(
      await speechAi("POST", "/accounts", { body: { account_name: "X", account_id: "retail_express" } }),
      409,
    );
  });
});

describe("auth (the document shows none; this surface requires a credential)", () => {
  it("refuses a request without or with a wrong credential: 401", async () => {
    expectDetail(await speechAi("GET", "/accounts", { credential: null }), 401, /Not authenticated/);
    expectDetail(await speechAi("POST", "/accounts", { credential: null, body: {} }), 401);
    const wrong = await speechAi("GET", "/accounts", { credential: { "x-api-key": "wrong" } });
    expect(wrong.status).toBe(401);
  });

  it("takes an organisation admin's bearer token and an API key, each for its own organisation", async () => {
    const owner = await registerUser("speechai-owner");
    const own = expectOk<{ accounts: Array<{ account_id: string }>; total: number }>(
      await speechAi("GET", "/accounts", { credential: bearer(owner.accessToken) }),
    );
    expect(own.accounts.map((account) => account.account_id)).not.toContain("retail_express");
    const key = await createApiKey(bearer(owner.accessToken), { scopes: ["BILLING_MANAGE"] });
    const id = await createAccount(1, { "x-api-key": key.secret });
    expectOk(await speechAi("GET", `/accounts/${id}`, { credential: bearer(key.secret) }));
    expectDetail(await speechAi("GET", `/accounts/${id}`), 404);
  });

  it("refuses a credential without billing:manage: 403", async () => {
    const owner = await registerUser("speechai-scope");
    const key = await createApiKey(bearer(owner.accessToken), { scopes: ["CAMPAIGNS_READ"] });
    expectDetail(
      await speechAi("GET", "/accounts", { credential: { "x-api-key": key.secret } }),
      403,
      /billing:manage/,
    );
  });
});
