import { readFileSync } from "node:fs";
import { buildSchema, type GraphQLObjectType } from "graphql";
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  agentInput,
  allNodes,
  bearer,
  type CreatedKey,
  createAgentRequest,
  createApiKey,
  createContactRequest,
  ERROR_FIELDS,
  loginRequest,
  type RegisteredUser,
  randomFrenchMobile,
  refreshRequest,
  registerUser,
  resultOf,
  successData,
  type Tokens,
} from "./support/accounts.js";
import { pollUntil, sleep } from "./support/calls.js";
import { firstRow, useDatabase } from "./support/database.js";
import { debtorRows, workbookBytes } from "./support/excel.js";
import { graphql } from "./support/http.js";
import {
  ACTIVITY,
  CALL_UPDATED,
  codes,
  type Feed,
  hubStats,
  listen,
  PROGRESS,
  refusal,
  sseClient,
  TRANSCRIPT,
} from "./support/subscriptions.js";

/**
 * Two organisations, A and B, each with an agent, a contact and an API key; A also has a campaign with
 * a call (there is no mutation for those, so they are inserted directly). Every Query, Mutation and Subscription
 * field has a check below showing B (and the legacy password's demo organisation) cannot read or change A's data.
 */

type Tenant = {
  user: RegisteredUser;
  auth: Record<string, string>;
  orgId: string;
  agent: { id: string; slug: string; name: string };
  contact: { id: string; number: number; phone: string; firstName: string };
  key: CreatedKey;
};

type Attacker = { name: string; headers: () => Record<string, string> };

let a: Tenant;
let b: Tenant;
let campaignId: string;
let callId: string;
/** A's default billing account (global id and public code). */
let accountId: string;
let accountCode: string;
/** A's webhook and one of its deliveries (global ids), and the webhook's secret. */
let webhookId: string;
let webhookSecret: string;
let deliveryId: string;
const A_WEBHOOK_URL = "http://127.0.0.1:9/tenancy-a";
const database = useDatabase();

/** Whoever is not A: B's user token, B's API key, and the legacy password (demo organisation). */
const attackers: Attacker[] = [
  { name: "B's user token", headers: () => b.auth },
  { name: "B's API key", headers: () => ({ "x-api-key": b.key.secret }) },
  { name: "the legacy password (demo)", headers: () => ({ "x-api-key": inject("apiPassword") }) },
];

async function createTenant(label: string): Promise<Tenant> {
  const user = await registerUser(label);
  const auth = bearer(user.accessToken);
  const viewer = await graphql<{ viewer: { organization: { id: string } } }>(
    `{ viewer { organization { id } } }`,
    undefined,
    auth,
  );
  const orgId = viewer.body.data?.viewer.organization.id;
  if (!orgId) throw new Error(`no organisation: ${JSON.stringify(viewer.body)}`);
  const agent = successData<Tenant["agent"]>(await createAgentRequest(auth), "createAgent");
  const contact = successData<Tenant["contact"]>(
    await createContactRequest(auth, { phone: randomFrenchMobile(), firstName: `${label}-contact` }),
    "createContact",
  );
  const key = await createApiKey(auth, { name: `${label} key` });
  return { user, auth, orgId, agent, contact, key };
}

/** A campaign and a call for A, straight into the database: no mutation creates them yet. */
async function insertCampaignAndCall(tenant: Tenant): Promise<void> {
  const one = async (text: string, values: unknown[]) => (await firstRow<{ id: string }>(database(), text, values)).id;
  const accountId = await one("select id from accounts where org_id = $1 and is_default", [tenant.orgId]);
  const agentId = await one("select id from agents where org_id = $1 and slug = $2", [tenant.orgId, tenant.agent.slug]);
  const contactId = await one("select id from contacts where org_id = $1 and phone = $2", [
    tenant.orgId,
    tenant.contact.phone,
  ]);
  const campaign = await one(
    "insert into campaigns (org_id, account_id, agent_id, name) values ($1, $2, $3, 'A campaign') returning id",
    [tenant.orgId, accountId, agentId],
  );
  await one(
    `insert into calls (org_id, campaign_id, contact_id, agent_id, account_id, to_number, status)
     values ($1, $2, $3, $4, $5, $6, 'completed') returning id`,
    [tenant.orgId, campaign, contactId, agentId, accountId, tenant.contact.phone],
  );
}

beforeAll(async () => {
  a = await createTenant("tenantA");
  b = await createTenant("tenantB");
  await insertCampaignAndCall(a);

  // A sees its own campaign and call: the positive control for every "B does not" below.
  const campaigns = await allNodes<{ id: string; name: string }>("campaigns", "name", a.auth);
  const calls = await allNodes<{ id: string }>("calls", "", a.auth);
  expect(campaigns).toHaveLength(1);
  expect(calls).toHaveLength(1);
  campaignId = campaigns[0]?.id ?? "";
  callId = calls[0]?.id ?? "";
  const accounts = await accountsOf(a.auth);
  expect(accounts).toHaveLength(1);
  accountId = accounts[0]?.id ?? "";
  accountCode = accounts[0]?.code ?? "";
  await registerWebhookOfA();
});

/** A's webhook, and a dead-letter delivery of it straight into the database (no event reaches port 9). */
async function registerWebhookOfA(): Promise<void> {
  const registered = successData<{ secret: string; webhook: { id: string } }>(
    await graphql(registerWebhook, { input: { url: A_WEBHOOK_URL, events: ["ORDER_COMPLETED"] } }, a.auth),
    "registerWebhook",
  );
  webhookId = registered.webhook.id;
  webhookSecret = registered.secret;
  const uuid = Buffer.from(webhookId, "base64").toString("utf8").split(":")[1];
  const delivery = await firstRow<{ id: string }>(
    database(),
    `insert into webhook_deliveries (org_id, webhook_id, event, payload, idempotency_key, status, attempts)
     values ($1, $2, 'order_completed', '{"user_id":"+2250700000000"}', 'tenancy', 'dead_letter', 4) returning id`,
    [a.orgId, uuid],
  );
  deliveryId = Buffer.from(`WebhookDelivery:${delivery.id}`).toString("base64");
}

const registerWebhook = `mutation ($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) {
    ${ERROR_FIELDS} ... on MutationRegisterWebhookSuccess { data { secret webhook { id url events } } }
  }
}`;

async function webhookIds(headers: Record<string, string>): Promise<string[]> {
  const response = await graphql<{ webhooks: Array<{ id: string }> }>("{ webhooks { id } }", undefined, headers);
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.webhooks.map((webhook) => webhook.id) ?? [];
}

async function deliveryStates(headers: Record<string, string>, filter: Record<string, unknown> = {}) {
  const response = await graphql<{ webhookDeliveries: Array<{ id: string; status: string; payload: unknown }> }>(
    `query ($webhookId: ID) { webhookDeliveries(webhookId: $webhookId) { id status payload } }`,
    filter,
    headers,
  );
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.webhookDeliveries ?? [];
}

type AccountSnapshot = { id: string; code: string; status: string; balance: { balance: number; used: number } };

async function accountsOf(headers: Record<string, string>): Promise<AccountSnapshot[]> {
  const response = await graphql<{ billingAccounts: { edges: Array<{ node: AccountSnapshot }> } }>(
    `{ billingAccounts(first: 100) { edges { node { id code status balance { balance used } } } } }`,
    undefined,
    headers,
  );
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.billingAccounts.edges.map((edge) => edge.node) ?? [];
}

/** A's default account is as registered: active, nothing credited or charged. */
async function expectAccountUntouched(): Promise<void> {
  const [account] = (await accountsOf(a.auth)).filter((row) => row.id === accountId);
  expect(account).toEqual({ id: accountId, code: accountCode, status: "active", balance: { balance: 0, used: 0 } });
}

const aIds = () => ({
  contact: a.contact.id,
  agent: a.agent.id,
  campaign: campaignId,
  call: callId,
  billingAccount: accountId,
});

async function listIds(field: "contacts" | "agents" | "campaigns" | "calls", headers: Record<string, string>) {
  return (await allNodes(field, "", headers)).map((node) => node.id);
}

async function nodeAs(id: string, headers: Record<string, string>): Promise<{ id: string } | null> {
  const response = await graphql<{ node: { id: string } | null }>(
    `query ($id: ID!) { node(id: $id) { id } }`,
    { id },
    headers,
  );
  expect(response.status).toBeLessThan(500);
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.node ?? null;
}

async function aContact(): Promise<Tenant["contact"] | null> {
  const response = await graphql<{ node: Tenant["contact"] | null }>(
    `query ($id: ID!) { node(id: $id) { id ... on Contact { number phone firstName } } }`,
    { id: a.contact.id },
    a.auth,
  );
  return response.body.data?.node ?? null;
}

async function anAgent(): Promise<{ id: string; slug: string; name: string } | null> {
  const response = await graphql<{ node: { id: string; slug: string; name: string } | null }>(
    `query ($id: ID!) { node(id: $id) { id ... on Agent { slug name } } }`,
    { id: a.agent.id },
    a.auth,
  );
  return response.body.data?.node ?? null;
}

async function viewerOrgId(headers: Record<string, string>): Promise<string | undefined> {
  const response = await graphql<{ viewer: { organization: { id: string } } }>(
    `{ viewer { organization { id } } }`,
    undefined,
    headers,
  );
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.viewer.organization.id;
}

async function apiKeyIds(headers: Record<string, string>): Promise<string[]> {
  const response = await graphql<{ viewer: { apiKeys: Array<{ id: string }> } }>(
    `{ viewer { apiKeys { id } } }`,
    undefined,
    headers,
  );
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.viewer.apiKeys.map((key) => key.id) ?? [];
}

/** A list field: A sees its item; nobody else does. */
function listCheck(field: "contacts" | "agents" | "campaigns" | "calls", aId: () => string) {
  return async () => {
    expect(await listIds(field, a.auth)).toContain(aId());
    for (const attacker of attackers) {
      expect(await listIds(field, attacker.headers()), attacker.name).not.toContain(aId());
    }
  };
}

/** Chat (issue 7): A's Botlive session, sent through sendMessage; B and the demo organisation must never reach it. */
const SEND_MESSAGE = `mutation ($agent: ChatAgent!, $sessionKey: String!, $message: String!) {
  sendMessage(agent: $agent, sessionKey: $sessionKey, message: $message) {
    ${ERROR_FIELDS}
    ... on MutationSendMessageSuccess { data { conversationId reply mode intent order { produit paiement completionRate } } }
  }
}`;
const CHAT_REPLY = `subscription ($agent: ChatAgent!, $sessionKey: String!) {
  chatReply(agent: $agent, sessionKey: $sessionKey) { conversationId sequence content done }
}`;
type ChatSent = { conversationId: string; reply: string; order: { produit: string; paiement: string } | null };

async function sendChat(headers: Record<string, string>, sessionKey: string, message: string): Promise<ChatSent> {
  return successData<ChatSent>(
    await graphql(SEND_MESSAGE, { agent: "ORDERS", sessionKey, message }, headers),
    "sendMessage",
  );
}

function chatSession(): string {
  return `+22507${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
}

async function chatList<T>(field: string, selection: string, headers: Record<string, string>): Promise<T[]> {
  const response = await graphql<Record<string, T[]>>(`{ ${field}(first: 200) { ${selection} } }`, undefined, headers);
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.[field] ?? [];
}

/** A's SAV ticket, made once through createTicket, with a description nobody else uses. */
let aTicketPromise: Promise<{ code: string; description: string }> | undefined;
const A_TICKET_FIELDS = "code description attachmentCodes";
const CREATE_TICKET = `mutation ($input: CreateTicketInput!) {
  createTicket(input: $input) { __typename ... on MutationCreateTicketSuccess { data { ${A_TICKET_FIELDS} } } ${ERROR_FIELDS} } }`;

function aTicket(): Promise<{ code: string; description: string }> {
  aTicketPromise ??= (async () => {
    const description = `A's private defect ${crypto.randomUUID()}`;
    const response = await graphql(
      CREATE_TICKET,
      { input: { category: "défaut_fabrication", severity: "moyen", description } },
      a.auth,
    );
    return successData<{ code: string; description: string }>(response, "createTicket");
  })();
  return aTicketPromise;
}

async function ticketAs(code: string, headers: Record<string, string>) {
  const response = await graphql<{ ticket: { code: string; description: string } | null }>(
    "query ($code: String!) { ticket(code: $code) { code description } }",
    { code },
    headers,
  );
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.ticket ?? null;
}

async function ticketDescriptions(headers: Record<string, string>): Promise<string[]> {
  const response = await graphql<{ tickets: { edges: Array<{ node: { description: string } }> } }>(
    "{ tickets(first: 100) { edges { node { description } } } }",
    undefined,
    headers,
  );
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.tickets.edges.map((edge) => edge.node.description) ?? [];
}

async function productSkus(query: string, headers: Record<string, string>): Promise<string[]> {
  const response = await graphql<{ searchProducts: { products: Array<{ sku: string }>; total: number } }>(
    "query ($query: String) { searchProducts(query: $query, limit: 50) { total products { sku } } }",
    { query },
    headers,
  );
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.searchProducts.products.map((product) => product.sku) ?? [];
}

const queryChecks: Record<string, () => Promise<void>> = {
  conversations: async () => {
    const session = chatSession();
    await sendChat(a.auth, session, "Bonjour");
    const keys = async (headers: Record<string, string>) =>
      (await chatList<{ sessionKey: string }>("conversations", "sessionKey", headers)).map((c) => c.sessionKey);
    expect(await keys(a.auth)).toContain(session);
    for (const attacker of attackers) expect(await keys(attacker.headers()), attacker.name).not.toContain(session);
  },
  orders: async () => {
    const session = chatSession();
    await sendChat(a.auth, session, "Je veux commander du miel");
    const refs = async (headers: Record<string, string>) =>
      (await chatList<{ customerRef: string }>("orders", "customerRef", headers)).map((o) => o.customerRef);
    expect(await refs(a.auth)).toContain(session);
    for (const attacker of attackers) expect(await refs(attacker.headers()), attacker.name).not.toContain(session);
  },
  interventions: async () => {
    const session = chatSession();
    await sendChat(a.auth, session, "Je veux parler à un conseiller");
    const refs = async (headers: Record<string, string>) =>
      (await chatList<{ customerRef: string }>("interventions", "customerRef", headers)).map((i) => i.customerRef);
    expect(await refs(a.auth)).toContain(session);
    for (const attacker of attackers) expect(await refs(attacker.headers()), attacker.name).not.toContain(session);
  },
  ticket: async () => {
    const mine = await aTicket();
    expect(await ticketAs(mine.code, a.auth)).toEqual({ code: mine.code, description: mine.description });
    // Numbers are per organisation, so another one may have a ticket with the same code: never A's.
    for (const attacker of attackers) {
      expect((await ticketAs(mine.code, attacker.headers()))?.description, attacker.name).not.toBe(mine.description);
    }
  },
  tickets: async () => {
    const mine = await aTicket();
    expect(await ticketDescriptions(a.auth)).toContain(mine.description);
    for (const attacker of attackers) {
      expect(await ticketDescriptions(attacker.headers()), attacker.name).not.toContain(mine.description);
    }
  },
  searchProducts: async () => {
    const sku = `TENANCY-${crypto.randomUUID().slice(0, 8)}`;
    await database().query(
      "insert into products (org_id, sku, name, category, price) values ($1, $2, 'Guéridon confidentiel', 'salon', 99)",
      [a.orgId, sku],
    );
    expect(await productSkus("guéridon confidentiel", a.auth)).toEqual([sku]);
    for (const attacker of attackers) {
      expect(await productSkus("gueridon confidentiel", attacker.headers()), attacker.name).not.toContain(sku);
    }
  },
  agents: async () => {
    await listCheck("agents", () => a.agent.id)();
    expect(await listIds("agents", b.auth)).toContain(b.agent.id);
  },
  contacts: async () => {
    await listCheck("contacts", () => a.contact.id)();
    expect(await listIds("contacts", b.auth)).toContain(b.contact.id);
  },
  campaigns: async () => {
    await listCheck("campaigns", () => campaignId)();
    // Nested calls of A's campaign are A's only.
    const response = await graphql<{
      campaigns: { edges: Array<{ node: { calls: { edges: Array<{ node: { id: string } }> } } }> };
    }>(`{ campaigns { edges { node { calls { edges { node { id } } } } } } }`, undefined, a.auth);
    expect(response.body.data?.campaigns.edges[0]?.node.calls.edges.map((edge) => edge.node.id)).toEqual([callId]);
    expect(await listIds("campaigns", b.auth)).toEqual([]);
  },
  calls: async () => {
    await listCheck("calls", () => callId)();
    expect(await listIds("calls", b.auth)).toEqual([]);
  },
  node: async () => {
    for (const [kind, id] of Object.entries(aIds())) {
      expect((await nodeAs(id, a.auth))?.id, `A reads its ${kind}`).toBe(id);
      for (const attacker of attackers) {
        expect(await nodeAs(id, attacker.headers()), `${attacker.name} reads A's ${kind}`).toBeNull();
      }
    }
    // And B still reads its own.
    expect((await nodeAs(b.contact.id, b.auth))?.id).toBe(b.contact.id);
  },
  nodes: async () => {
    const ids = Object.values(aIds());
    const query = `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
    const asA = await graphql<{ nodes: Array<{ id: string } | null> }>(query, { ids }, a.auth);
    expect(asA.body.data?.nodes.map((node) => node?.id)).toEqual(ids);
    for (const attacker of attackers) {
      const response = await graphql<{ nodes: Array<{ id: string } | null> }>(query, { ids }, attacker.headers());
      expect(response.body.errors, attacker.name).toBeUndefined();
      expect(response.body.data?.nodes, attacker.name).toEqual(ids.map(() => null));
    }
    const mixed = await graphql<{ nodes: Array<{ id: string } | null> }>(
      query,
      { ids: [a.contact.id, b.contact.id, a.agent.id, b.agent.id] },
      b.auth,
    );
    expect(mixed.body.data?.nodes).toEqual([null, { id: b.contact.id }, null, { id: b.agent.id }]);
  },
  organization: async () => {
    const query = `{ organization { id name } }`;
    const asA = await graphql<{ organization: { id: string; name: string } }>(query, undefined, a.auth);
    expect(asA.body.data?.organization).toEqual({ id: a.orgId, name: a.user.organizationName });
    for (const attacker of attackers) {
      const response = await graphql<{ organization: { id: string; name: string } }>(
        query,
        undefined,
        attacker.headers(),
      );
      expect(response.body.data?.organization.id, attacker.name).not.toBe(a.orgId);
    }
    const asB = await graphql<{ organization: { id: string; name: string } }>(query, undefined, b.auth);
    expect(asB.body.data?.organization).toEqual({ id: b.orgId, name: b.user.organizationName });
  },
  systemStats: async () => {
    const totals = async (headers: Record<string, string>) => {
      const response = await graphql<{ systemStats: { campaigns: { total: number }; calls: { total: number } } }>(
        `{ systemStats { campaigns { total } calls { total } } }`,
        undefined,
        headers,
      );
      expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
      const stats = response.body.data?.systemStats;
      return { campaigns: stats?.campaigns.total, calls: stats?.calls.total };
    };
    expect(await totals(a.auth)).toEqual({ campaigns: 1, calls: 1 });
    // B has neither campaigns nor calls: A's are not counted for it. (The demo organisation's totals move
    // with the suites running beside this one, so only B's are exact.)
    expect(await totals(b.auth)).toEqual({ campaigns: 0, calls: 0 });
    expect(await totals({ "x-api-key": b.key.secret })).toEqual({ campaigns: 0, calls: 0 });
  },
  callAnalytics: async () => {
    const query = `query ($agentId: ID, $campaignId: ID) {
      callAnalytics(agentId: $agentId, campaignId: $campaignId) {
        statistics { totalCalls } sentiment { positive neutral negative } topPhrases { phrase }
      }
    }`;
    type Analytics = { statistics: { totalCalls: number }; topPhrases: unknown[] };
    const totalCalls = async (headers: Record<string, string>, scope: Record<string, string>) => {
      const response = await graphql<{ callAnalytics: Analytics }>(query, scope, headers);
      expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
      return response.body.data?.callAnalytics.statistics.totalCalls;
    };
    expect(await totalCalls(a.auth, { campaignId })).toBe(1);
    expect(await totalCalls(a.auth, { agentId: a.agent.id })).toBe(1);
    for (const attacker of attackers) {
      // A's ids in another organisation's scope match none of its calls.
      expect(await totalCalls(attacker.headers(), { campaignId }), attacker.name).toBe(0);
      expect(await totalCalls(attacker.headers(), { agentId: a.agent.id }), attacker.name).toBe(0);
    }
    expect(await totalCalls(b.auth, {})).toBe(0);
  },
  useCases: async () => {
    // Reference data, the same for every organisation: there is nothing of A's in it to leak.
    const ids = async (headers: Record<string, string>) =>
      (
        await graphql<{ useCases: Array<{ id: string }> }>("{ useCases { id } }", undefined, headers)
      ).body.data?.useCases.map((useCase) => useCase.id);
    expect(await ids(b.auth)).toEqual(await ids(a.auth));
  },
  billingAccounts: async () => {
    expect((await accountsOf(a.auth)).map((account) => account.id)).toEqual([accountId]);
    for (const attacker of attackers) {
      const seen = await accountsOf(attacker.headers());
      expect(
        seen.map((account) => account.id),
        attacker.name,
      ).not.toContain(accountId);
      expect(
        seen.map((account) => account.code),
        attacker.name,
      ).not.toContain(accountCode);
    }
    expect(await accountsOf(b.auth)).toHaveLength(1);
  },
  billingAccount: async () => {
    const query = `query ($code: String!) { billingAccount(code: $code) { id } }`;
    const asA = await graphql<{ billingAccount: { id: string } | null }>(query, { code: accountCode }, a.auth);
    expect(asA.body.data?.billingAccount?.id).toBe(accountId);
    for (const attacker of attackers) {
      const response = await graphql<{ billingAccount: { id: string } | null }>(
        query,
        { code: accountCode },
        attacker.headers(),
      );
      expect(response.body.errors, attacker.name).toBeUndefined();
      expect(response.body.data?.billingAccount, attacker.name).toBeNull();
    }
  },
  webhooks: async () => {
    expect(await webhookIds(a.auth)).toEqual([webhookId]);
    for (const attacker of attackers) {
      expect(await webhookIds(attacker.headers()), attacker.name).not.toContain(webhookId);
    }
    expect(await webhookIds(b.auth)).toEqual([]);
  },
  webhookDeliveries: async () => {
    expect((await deliveryStates(a.auth)).map((delivery) => delivery.id)).toEqual([deliveryId]);
    for (const attacker of attackers) {
      // Neither the whole log nor a filter on A's webhook shows A's delivery.
      expect(await deliveryStates(attacker.headers(), { webhookId }), attacker.name).toEqual([]);
      expect(
        (await deliveryStates(attacker.headers())).map((delivery) => delivery.id),
        attacker.name,
      ).not.toContain(deliveryId);
    }
  },
  viewer: async () => {
    expect(await apiKeyIds(a.auth)).toContain(a.key.id);
    for (const attacker of attackers) {
      expect(await apiKeyIds(attacker.headers()), attacker.name).not.toContain(a.key.id);
      expect(await viewerOrgId(attacker.headers()), attacker.name).not.toBe(a.orgId);
    }
    expect(await apiKeyIds(b.auth)).toContain(b.key.id);
    expect(await viewerOrgId({ "x-api-key": a.key.secret })).toBe(a.orgId);
  },
};

const updateContact = `mutation ($id: ID!, $input: ContactPatch!) {
  updateContact(id: $id, input: $input) { ${ERROR_FIELDS} ... on MutationUpdateContactSuccess { data { id } } }
}`;
const deleteContact = `mutation ($id: ID!) {
  deleteContact(id: $id) { ${ERROR_FIELDS} ... on MutationDeleteContactSuccess { data { id } } }
}`;
const updateAgent = `mutation ($id: ID!, $input: AgentPatch!) {
  updateAgent(id: $id, input: $input) { ${ERROR_FIELDS} ... on MutationUpdateAgentSuccess { data { id } } }
}`;
const deleteAgent = `mutation ($id: ID!) {
  deleteAgent(id: $id) { ${ERROR_FIELDS} ... on MutationDeleteAgentSuccess { data { id } } }
}`;
const revokeApiKey = `mutation ($id: ID!) {
  revokeApiKey(id: $id) { ${ERROR_FIELDS} ... on MutationRevokeApiKeySuccess { data { id } } }
}`;
const importContacts = `mutation ($csv: String!) {
  importContacts(csv: $csv) {
    ${ERROR_FIELDS}
    ... on MutationImportContactsSuccess { data { imported failed errors { line message } } }
  }
}`;

const campaignMutation = (field: string, args = "$id: ID!", call = "id: $id") => `mutation (${args}) {
  ${field}(${call}) { ${ERROR_FIELDS} }
}`;

async function aCampaign(): Promise<{ name: string; status: string; maxConcurrentCalls: number } | null> {
  const response = await graphql<{ node: { name: string; status: string; maxConcurrentCalls: number } | null }>(
    `query ($id: ID!) { node(id: $id) { ... on Campaign { name status maxConcurrentCalls } } }`,
    { id: campaignId },
    a.auth,
  );
  return response.body.data?.node ?? null;
}

/** A's campaign is still as inserted: pending, named and paced as before. */
async function expectCampaignUntouched(): Promise<void> {
  expect(await aCampaign()).toEqual({ name: "A campaign", status: "pending", maxConcurrentCalls: 5 });
}

const accountMutation = (field: string, args = "$id: ID!", call = "id: $id") => `mutation (${args}) {
  ${field}(${call}) { ${ERROR_FIELDS} }
}`;

/** A campaign lifecycle mutation by any attacker on A's campaign is NotFoundError and changes nothing. */
function campaignActionCheck(field: string) {
  return async () => {
    await expectNotFoundForAttackers(campaignMutation(field), field, { id: campaignId });
    await expectCampaignUntouched();
  };
}

/** Each attacker's attempt on A's id must come back NotFoundError. */
async function expectNotFoundForAttackers(
  mutation: string,
  field: string,
  variables: Record<string, unknown>,
): Promise<void> {
  for (const attacker of attackers) {
    const result = resultOf(await graphql(mutation, variables, attacker.headers()), field);
    expect(result.__typename, `${field} by ${attacker.name}`).toBe("NotFoundError");
    expect(result.code).toBe("NOT_FOUND");
  }
}

/** A batch import naming A's billing account: nobody else may preview against it or charge it. */
function batchImportCheck(field: "previewBatchImport" | "importBatch"): () => Promise<void> {
  return async () => {
    const fileBase64 = Buffer.from(workbookBytes(debtorRows(2))).toString("base64");
    await expectNotFoundForAttackers(
      `mutation ($input: BatchImportInput!) { ${field}(input: $input) { ${ERROR_FIELDS} } }`,
      field,
      { input: { fileName: "tenancy.xlsx", fileBase64, account: accountCode } },
    );
    await expectAccountUntouched();
  };
}

const webhookMutation = (field: string) => `mutation ($id: ID!) { ${field}(id: $id) { ${ERROR_FIELDS} } }`;

/** A product of A's catalogue, written straight to the table, with a SKU nobody else uses. */
async function aProduct(label: string): Promise<{ sku: string; name: string }> {
  const sku = `TEN-${label}-${crypto.randomUUID().slice(0, 8)}`;
  const name = `A's ${label} product`;
  await database().query("insert into products (org_id, sku, name, price) values ($1, $2, $3, 10)", [
    a.orgId,
    sku,
    name,
  ]);
  return { sku, name };
}

async function productNameOfA(sku: string): Promise<string | undefined> {
  const { rows } = await database().query<{ name: string }>(
    "select name from products where org_id = $1 and sku = $2",
    [a.orgId, sku],
  );
  return rows[0]?.name;
}

/** The global id of A's first order or intervention of a fresh chat session. */
async function aChatItemId(field: "orders" | "interventions", message: string): Promise<{ id: string; uuid: string }> {
  const session = chatSession();
  await sendChat(a.auth, session, message);
  const items = await chatList<{ id: string; customerRef: string }>(field, "id customerRef", a.auth);
  const item = items.find((candidate) => candidate.customerRef === session);
  if (!item) throw new Error(`no ${field} item for the session`);
  return { id: item.id, uuid: Buffer.from(item.id, "base64").toString("utf8").split(":")[1] ?? "" };
}

async function statusOf(table: "orders" | "interventions" | "tickets", where: string, value: string) {
  const { rows } = await database().query<{ status: string }>(
    `select status::text from ${table} where org_id = $1 and ${where} = $2`,
    [a.orgId, value],
  );
  return rows[0]?.status;
}

const mutationChecks: Record<string, () => Promise<void>> = {
  saveProduct: async () => {
    // The same SKU saved elsewhere is that organisation's own product; A's keeps its name.
    const mine = await aProduct("save");
    const save = `mutation ($input: ProductInput!) { saveProduct(input: $input) { ${ERROR_FIELDS}
      ... on MutationSaveProductSuccess { data { sku name } } } }`;
    for (const attacker of attackers) {
      const theirs = successData<{ sku: string; name: string }>(
        await graphql(save, { input: { sku: mine.sku, name: "stolen", price: 1 } }, attacker.headers()),
        "saveProduct",
      );
      expect(theirs.name, attacker.name).toBe("stolen");
    }
    expect(await productNameOfA(mine.sku)).toBe(mine.name);
  },
  deleteProduct: async () => {
    const mine = await aProduct("delete");
    await expectNotFoundForAttackers(
      `mutation ($sku: String!) { deleteProduct(sku: $sku) { ${ERROR_FIELDS} } }`,
      "deleteProduct",
      { sku: mine.sku },
    );
    expect(await productNameOfA(mine.sku)).toBe(mine.name);
  },
  updateTicketStatus: async () => {
    // Codes are numbered per organisation: another one's call may reach its own ticket of that code, never A's.
    const mine = await aTicket();
    const update = `mutation ($code: String!) { updateTicketStatus(code: $code, status: closed) { ${ERROR_FIELDS} } }`;
    for (const attacker of attackers) await graphql(update, { code: mine.code }, attacker.headers());
    expect(await statusOf("tickets", "code", mine.code)).toBe("open");
  },
  cancelOrder: async () => {
    const order = await aChatItemId("orders", "Je veux commander un savon");
    await expectNotFoundForAttackers(
      `mutation ($id: ID!) { cancelOrder(id: $id) { ${ERROR_FIELDS} } }`,
      "cancelOrder",
      { id: order.id },
    );
    expect(await statusOf("orders", "id", order.uuid)).toBe("in_progress");
  },
  resolveIntervention: async () => {
    const intervention = await aChatItemId("interventions", "Je veux parler à un conseiller");
    await expectNotFoundForAttackers(
      `mutation ($id: ID!) { resolveIntervention(id: $id) { ${ERROR_FIELDS} } }`,
      "resolveIntervention",
      { id: intervention.id },
    );
    expect(await statusOf("interventions", "id", intervention.uuid)).toBe("open");
  },
  sendMessage: async () => {
    // The same session key elsewhere is another conversation: nobody else can pay into or read A's order.
    const session = chatSession();
    const own = await sendChat(a.auth, session, "Je veux commander un pagne");
    expect(own.order?.produit).toBe("✅PRODUIT:un pagne[MESSAGE]");
    for (const attacker of attackers) {
      const theirs = await sendChat(attacker.headers(), session, "J'ai payé 2000 FCFA");
      expect(theirs.conversationId, attacker.name).not.toBe(own.conversationId);
      expect(theirs.order?.produit ?? "", attacker.name).toBe("");
    }
    const again = await sendChat(a.auth, session, "Bonjour");
    expect(again.order?.paiement).toBe("");
  },
  registerWebhook: async () => {
    // The same URL registered by B is B's own webhook, with its own secret; A's stays as it was.
    const asB = successData<{ secret: string; webhook: { id: string; events: string[] } }>(
      await graphql(registerWebhook, { input: { url: A_WEBHOOK_URL, events: ["CALL_LEAD"] } }, b.auth),
      "registerWebhook",
    );
    expect(asB.webhook.id).not.toBe(webhookId);
    expect(asB.secret).not.toBe(webhookSecret);
    const ofA = await graphql<{ webhooks: Array<{ id: string; events: string[] }> }>(
      "{ webhooks { id events } }",
      undefined,
      a.auth,
    );
    expect(ofA.body.data?.webhooks).toEqual([{ id: webhookId, events: ["order_completed"] }]);
  },
  deleteWebhook: async () => {
    await expectNotFoundForAttackers(webhookMutation("deleteWebhook"), "deleteWebhook", { id: webhookId });
    expect(await webhookIds(a.auth)).toEqual([webhookId]);
  },
  testWebhook: async () => {
    await expectNotFoundForAttackers(webhookMutation("testWebhook"), "testWebhook", { id: webhookId });
  },
  replayWebhookDelivery: async () => {
    await expectNotFoundForAttackers(webhookMutation("replayWebhookDelivery"), "replayWebhookDelivery", {
      id: deliveryId,
    });
    expect((await deliveryStates(a.auth)).map((delivery) => delivery.status)).toEqual(["DEAD_LETTER"]);
  },
  createTicket: async () => {
    // Nobody else may attach A's upload, and a ticket of theirs never joins A's.
    const code = `upload_tenancy${crypto.randomUUID().slice(0, 8)}`;
    await database().query(
      "insert into uploads (org_id, code, storage_key, content_type, size_bytes) values ($1, $2, $3, 'image/jpeg', 10)",
      [a.orgId, code, `uploads/${a.orgId}/${code}.jpg`],
    );
    for (const attacker of attackers) {
      const result = resultOf(
        await graphql(
          CREATE_TICKET,
          { input: { category: "tissu", severity: "faible", description: "x", attachmentCodes: [code] } },
          attacker.headers(),
        ),
        "createTicket",
      );
      expect(result.__typename, attacker.name).toBe("ValidationError");
    }
    const before = await ticketDescriptions(a.auth);
    const theirs = successData<{ description: string }>(
      await graphql(
        CREATE_TICKET,
        { input: { category: "tissu", severity: "faible", description: "B's own" } },
        b.auth,
      ),
      "createTicket",
    );
    expect(theirs.description).toBe("B's own");
    expect(await ticketDescriptions(a.auth)).toEqual(before);
  },
  previewBatchImport: batchImportCheck("previewBatchImport"),
  importBatch: batchImportCheck("importBatch"),
  createCampaign: async () => {
    // Nobody else can put A's contacts or A's agent into a campaign.
    const mutation = campaignMutation("createCampaign", "$input: CreateCampaignInput!", "input: $input");
    for (const attacker of attackers) {
      const withAContacts = resultOf(
        await graphql(
          mutation,
          { input: { name: "steal", contactIds: [a.contact.id], scenario: "scenario_test_demo" } },
          attacker.headers(),
        ),
        "createCampaign",
      );
      expect(withAContacts.__typename, attacker.name).toBe("RejectedInputError");
      const withAAgent = resultOf(
        await graphql(
          mutation,
          { input: { name: "steal", contactNumbers: [1], agentId: a.agent.id } },
          attacker.headers(),
        ),
        "createCampaign",
      );
      expect(withAAgent.__typename, attacker.name).toBe("RejectedInputError");
      const withAAccount = resultOf(
        await graphql(
          mutation,
          {
            input: { name: "steal", contactNumbers: [1], scenario: "scenario_test_demo", billingAccountId: accountId },
          },
          attacker.headers(),
        ),
        "createCampaign",
      );
      expect(withAAccount.__typename, attacker.name).toBe("RejectedInputError");
    }
    expect(await listIds("campaigns", a.auth)).toEqual([campaignId]);
  },
  updateCampaign: async () => {
    await expectNotFoundForAttackers(
      campaignMutation("updateCampaign", "$id: ID!, $input: UpdateCampaignInput!", "id: $id, input: $input"),
      "updateCampaign",
      { id: campaignId, input: { name: "Hijacked", maxConcurrentCalls: 50 } },
    );
    await expectCampaignUntouched();
  },
  startCampaign: campaignActionCheck("startCampaign"),
  createBillingAccount: async () => {
    for (const attacker of attackers) {
      const created = resultOf<{ data: { id: string } }>(
        await graphql(
          `mutation { createBillingAccount(input: { name: "Attacker's" }) {
            ${ERROR_FIELDS} ... on MutationCreateBillingAccountSuccess { data { id } } } }`,
          undefined,
          attacker.headers(),
        ),
        "createBillingAccount",
      );
      expect((await accountsOf(attacker.headers())).map((account) => account.id)).toContain(created.data.id);
      expect((await accountsOf(a.auth)).map((account) => account.id)).not.toContain(created.data.id);
    }
    expect((await accountsOf(a.auth)).map((account) => account.id)).toEqual([accountId]);
  },
  topUpBillingAccount: async () => {
    await expectNotFoundForAttackers(
      accountMutation("topUpBillingAccount", "$id: ID!, $credits: Float!", "id: $id, credits: $credits"),
      "topUpBillingAccount",
      { id: accountId, credits: 1000 },
    );
    await expectAccountUntouched();
  },
  refundBillingAccount: async () => {
    await expectNotFoundForAttackers(
      accountMutation("refundBillingAccount", "$id: ID!, $credits: Float!", "id: $id, credits: $credits"),
      "refundBillingAccount",
      { id: accountId, credits: 1 },
    );
    await expectAccountUntouched();
  },
  suspendBillingAccount: async () => {
    await expectNotFoundForAttackers(accountMutation("suspendBillingAccount"), "suspendBillingAccount", {
      id: accountId,
    });
    await expectAccountUntouched();
  },
  activateBillingAccount: async () => {
    await expectNotFoundForAttackers(accountMutation("activateBillingAccount"), "activateBillingAccount", {
      id: accountId,
    });
    await expectAccountUntouched();
  },
  pauseCampaign: campaignActionCheck("pauseCampaign"),
  resumeCampaign: campaignActionCheck("resumeCampaign"),
  stopCampaign: campaignActionCheck("stopCampaign"),
  deleteCampaign: campaignActionCheck("deleteCampaign"),
  register: async () => {
    const newcomer = await registerUser("newcomer");
    const headers = bearer(newcomer.accessToken);
    expect(await viewerOrgId(headers)).not.toBe(a.orgId);
    for (const field of ["contacts", "agents", "campaigns", "calls"] as const) {
      expect(await listIds(field, headers), field).toEqual([]);
    }
  },
  login: async () => {
    const tokens = successData<Tokens>(await loginRequest(b.user.email, b.user.password), "login");
    const headers = bearer(tokens.accessToken);
    expect(await viewerOrgId(headers)).toBe(b.orgId);
    expect(await listIds("contacts", headers)).not.toContain(a.contact.id);
  },
  refresh: async () => {
    const session = successData<Tokens>(await loginRequest(b.user.email, b.user.password), "login");
    const refreshed = successData<Tokens>(await refreshRequest(session.refreshToken), "refresh");
    const headers = bearer(refreshed.accessToken);
    expect(await viewerOrgId(headers)).toBe(b.orgId);
    expect(await nodeAs(a.contact.id, headers)).toBeNull();
  },
  logout: async () => {
    const session = successData<Tokens>(await loginRequest(b.user.email, b.user.password), "login");
    const response = await graphql(
      `mutation { logout { ${ERROR_FIELDS} ... on MutationLogoutSuccess { data } } }`,
      undefined,
      bearer(session.accessToken),
    );
    expect(successData<boolean>(response, "logout")).toBe(true);
    // B's logout ends B's session only; A's token keeps working.
    expect(await viewerOrgId(a.auth)).toBe(a.orgId);
  },
  createApiKey: async () => {
    const key = await createApiKey(b.auth, { name: "b second key" });
    expect(await viewerOrgId({ "x-api-key": key.secret })).toBe(b.orgId);
    expect(await nodeAs(a.contact.id, { "x-api-key": key.secret })).toBeNull();
    expect(await apiKeyIds(a.auth)).not.toContain(key.id);
  },
  revokeApiKey: async () => {
    await expectNotFoundForAttackers(revokeApiKey, "revokeApiKey", { id: a.key.id });
    expect(await viewerOrgId({ "x-api-key": a.key.secret })).toBe(a.orgId);
    const keys = await graphql<{ viewer: { apiKeys: Array<{ id: string; revokedAt: string | null }> } }>(
      `{ viewer { apiKeys { id revokedAt } } }`,
      undefined,
      a.auth,
    );
    expect(keys.body.data?.viewer.apiKeys.find((key) => key.id === a.key.id)?.revokedAt).toBeNull();
  },
  createAgent: async () => {
    // The same slug is free in another organisation: no ConflictError that would reveal A's agents.
    const created = successData<{ id: string; slug: string }>(
      await createAgentRequest(b.auth, { ...agentInput(a.agent.slug), name: "B's copy" }),
      "createAgent",
    );
    expect(created.slug).toBe(a.agent.slug);
    expect(await listIds("agents", a.auth)).not.toContain(created.id);
    expect(await anAgent()).toEqual(a.agent);
  },
  updateAgent: async () => {
    await expectNotFoundForAttackers(updateAgent, "updateAgent", {
      id: a.agent.id,
      input: { name: "Hijacked", slug: "hijacked" },
    });
    expect(await anAgent()).toEqual(a.agent);
  },
  deleteAgent: async () => {
    await expectNotFoundForAttackers(deleteAgent, "deleteAgent", { id: a.agent.id });
    expect(await anAgent()).toEqual(a.agent);
  },
  createContact: async () => {
    // A's phone is free in B's organisation.
    const created = successData<{ id: string; phone: string }>(
      await createContactRequest(b.auth, { phone: a.contact.phone, firstName: "B's copy" }),
      "createContact",
    );
    expect(created.phone).toBe(a.contact.phone);
    expect(await listIds("contacts", a.auth)).not.toContain(created.id);
    expect(await aContact()).toEqual(a.contact);
  },
  updateContact: async () => {
    await expectNotFoundForAttackers(updateContact, "updateContact", {
      id: a.contact.id,
      input: { firstName: "Hijacked", phone: "+33699999999" },
    });
    expect(await aContact()).toEqual(a.contact);
  },
  deleteContact: async () => {
    await expectNotFoundForAttackers(deleteContact, "deleteContact", { id: a.contact.id });
    expect(await aContact()).toEqual(a.contact);
  },
  importContacts: async () => {
    // A phone only A has (B's createContact check above copied A's first contact's phone).
    const aOnly = successData<{ phone: string }>(await createContactRequest(a.auth), "createContact").phone;
    const before = await allNodes<{ id: string; phone: string }>("contacts", "phone", a.auth);
    const fresh = randomFrenchMobile();
    const csv = `phone,firstName\n${aOnly},Copy of A\n${fresh},Fresh\n`;
    const report = successData<{ imported: number; failed: number }>(
      await graphql(importContacts, { csv }, b.auth),
      "importContacts",
    );
    // A's phone is not "already existing" for B: nothing about A leaks into B's report.
    expect(report).toMatchObject({ imported: 2, failed: 0 });
    const bPhones = (await allNodes<{ id: string; phone: string }>("contacts", "phone", b.auth)).map((c) => c.phone);
    expect(bPhones).toEqual(expect.arrayContaining([aOnly, fresh]));
    const after = await allNodes<{ id: string; phone: string }>("contacts", "phone", a.auth);
    expect(after).toEqual(before);
    expect(after.map((contact) => contact.phone)).not.toContain(fresh);
  },
};

/** Each attacker's subscription to A's campaign or call is refused as NOT_FOUND, before any event. */
async function expectSubscriptionRefused(field: string, query: string, variables: Record<string, unknown>) {
  for (const attacker of attackers) {
    const client = sseClient(attacker.headers());
    try {
      expect(codes(await refusal(listen(client, field, query, variables))), `${field} by ${attacker.name}`).toEqual([
        "NOT_FOUND",
      ]);
    } finally {
      client.dispose();
    }
  }
}

const subscriptionChecks: Record<string, () => Promise<void>> = {
  chatReply: async () => {
    // Everyone subscribes to the same session key; only A's subscription hears A's reply.
    const session = chatSession();
    const clients = [a.auth, ...attackers.map((attacker) => attacker.headers())].map((headers) => sseClient(headers));
    const [own, ...others] = clients.map((client) =>
      listen<{ content: string; done: boolean }>(client, "chatReply", CHAT_REPLY, {
        agent: "ORDERS",
        sessionKey: session,
      }),
    );
    try {
      await pollUntil(
        async () => (await hubStats(a.orgId)).topics,
        (topics) => Object.values(topics).reduce((sum, count) => sum + count, 0) >= 1,
        10_000,
      );
      await sleep(300);
      const sent = await sendChat(a.auth, session, "Bonjour");
      const feed = own as Feed<{ content: string; done: boolean }>;
      await pollUntil(
        async () => feed.events.some((event) => event.value.done),
        (done) => done,
        10_000,
      );
      expect(feed.events.map((event) => event.value.content).join("")).toBe(sent.reply);
      await sleep(300);
      for (const [index, other] of others.entries()) {
        expect(other.events, `chatReply seen by ${attackers[index]?.name}`).toEqual([]);
      }
    } finally {
      for (const client of clients) client.dispose();
    }
  },
  campaignProgress: async () => {
    // The positive control: A gets its campaign's figures at once.
    const own = sseClient(a.auth);
    const feed = listen<{ total: number }>(own, "campaignProgress", PROGRESS, { campaignId });
    await pollUntil(
      async () => feed.events.length,
      (count) => count > 0,
      10_000,
    );
    own.dispose();
    expect(feed.errors).toEqual([]);
    expect(feed.events[0]?.value.total).toBe(1);
    await expectSubscriptionRefused("campaignProgress", PROGRESS, { campaignId });
  },
  callUpdated: async () => {
    await expectSubscriptionRefused("callUpdated", CALL_UPDATED, { campaignId });
    await expectSubscriptionRefused("callUpdated", CALL_UPDATED, { callId });
  },
  callTranscript: async () => {
    await expectSubscriptionRefused("callTranscript", TRANSCRIPT, { callId });
  },
  activity: async () => {
    // Everyone listens to their own feed; A starts its campaign (which completes at once: its one call is done).
    const clients = [a.auth, ...attackers.map((attacker) => attacker.headers())].map((headers) => sseClient(headers));
    const [own, ...others] = clients.map((client) => listen<{ kind: string }>(client, "activity", ACTIVITY));
    try {
      await pollUntil(
        async () => (await hubStats(a.orgId)).subscribers,
        (count) => count >= 1,
        10_000,
      );
      await pollUntil(
        async () => (await hubStats(b.orgId)).subscribers,
        (count) => count >= 2,
        10_000,
      );
      const started = await graphql(campaignMutation("startCampaign"), { id: campaignId }, a.auth);
      expect(resultOf(started, "startCampaign").__typename).toBe("MutationStartCampaignSuccess");
      const kinds = () => (own as Feed<{ kind: string }>).events.map((event) => event.value.kind);
      await pollUntil(
        async () => kinds(),
        (seen) => seen.includes("campaign_completed"),
        10_000,
      );
      expect(kinds()).toEqual(["campaign_started", "campaign_completed"]);
      await sleep(500);
      for (const [index, feed] of others.entries()) {
        expect(feed.errors).toEqual([]);
        expect(feed.events, `activity seen by ${attackers[index]?.name}`).toEqual([]);
      }
    } finally {
      for (const client of clients) client.dispose();
    }
  },
};

describe("tenant isolation: Query", () => {
  for (const [field, check] of Object.entries(queryChecks)) {
    it(`Query.${field} does not expose A's data to B or the legacy password`, check);
  }
});

describe("tenant isolation: Mutation", () => {
  for (const [field, check] of Object.entries(mutationChecks)) {
    it(`Mutation.${field} cannot read or change A's data from another organisation`, check);
  }
});

// Last: the activity check starts A's campaign.
describe("tenant isolation: Subscription", () => {
  for (const [field, check] of Object.entries(subscriptionChecks)) {
    it(`Subscription.${field} is refused on A's data and tells B nothing of A`, check);
  }
});

describe("tenant isolation coverage", () => {
  const schema = buildSchema(readFileSync(new URL("../schema/schema.graphql", import.meta.url), "utf8"));
  const fieldsOf = (type: GraphQLObjectType | null | undefined) => Object.keys(type?.getFields() ?? {}).sort();

  it("has a check for every Query field in schema/schema.graphql", () => {
    const missing = fieldsOf(schema.getQueryType()).filter((field) => !(field in queryChecks));
    expect(missing, `add tenancy checks to test/tenancy.test.ts for Query fields: ${missing.join(", ")}`).toEqual([]);
    expect(Object.keys(queryChecks).sort()).toEqual(fieldsOf(schema.getQueryType()));
  });

  it("has a check for every Mutation field in schema/schema.graphql", () => {
    const missing = fieldsOf(schema.getMutationType()).filter((field) => !(field in mutationChecks));
    expect(missing, `add tenancy checks to test/tenancy.test.ts for Mutation fields: ${missing.join(", ")}`).toEqual(
      [],
    );
    expect(Object.keys(mutationChecks).sort()).toEqual(fieldsOf(schema.getMutationType()));
  });

  it("has a check for every Subscription field in schema/schema.graphql", () => {
    expect(Object.keys(subscriptionChecks).sort()).toEqual(fieldsOf(schema.getSubscriptionType()));
  });
});
