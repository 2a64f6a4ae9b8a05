import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signInternalRequest } from "../schema/src/internal-signature.js";
import {
  bearer,
  type CreatedKey,
  createAgentRequest,
  createApiKey,
  createContactRequest,
  ERROR_FIELDS,
  randomFrenchMobile,
  registerUser,
  resultOf,
  successData,
} from "./support/accounts.js";
import { pollUntil, sleep } from "./support/calls.js";
import { firstRow, holdDialling, useDatabase } from "./support/database.js";
import { graphql, rest } from "./support/http.js";
import { freePort } from "./support/ports.js";
import { signatureIsValid, startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

/**
 * Webhooks end to end against the test worker: its env allows 127.0.0.1 targets (WEBHOOK_ALLOWED_HOSTS), retries
 * after 100 ms doubling (WEBHOOK_RETRY_BASE_MS) and gives up after 4 attempts (WEBHOOK_MAX_ATTEMPTS).
 */

type Org = { auth: Record<string, string>; key: CreatedKey; orgId: string };
type Delivery = {
  id: string;
  event: string;
  status: string;
  attempts: number;
  payload: Record<string, unknown>;
  lastError: string | null;
  responseStatus: number | null;
  webhook: { url: string } | null;
};

const DELIVERY_FIELDS = "id event status attempts payload lastError responseStatus webhook { url }";
const database = useDatabase();
let org: Org;
let receiver: WebhookReceiver;

async function newOrg(label: string): Promise<Org> {
  const user = await registerUser(label);
  const auth = bearer(user.accessToken);
  const key = await createApiKey(auth, { name: `${label} key` });
  const viewer = await graphql<{ viewer: { organization: { id: string } } }>(
    "{ viewer { organization { id } } }",
    undefined,
    auth,
  );
  return { auth, key, orgId: viewer.body.data?.viewer.organization.id ?? "" };
}

async function register(headers: Record<string, string>, url: string, events: string[]) {
  const response = await graphql(
    `mutation ($input: RegisterWebhookInput!) {
      registerWebhook(input: $input) {
        ${ERROR_FIELDS}
        ... on MutationRegisterWebhookSuccess { data { secret webhook { id url events active } } }
      }
    }`,
    { input: { url, events } },
    headers,
  );
  return resultOf<{ data?: { secret: string; webhook: { id: string; url: string; events: string[] } } }>(
    response,
    "registerWebhook",
  );
}

async function registered(headers: Record<string, string>, url: string, events: string[]) {
  const result = await register(headers, url, events);
  if (!result.data) throw new Error(`registration failed: ${JSON.stringify(result)}`);
  return result.data;
}

async function deliveries(headers: Record<string, string>, filter: Record<string, unknown> = {}): Promise<Delivery[]> {
  const response = await graphql<{ webhookDeliveries: Delivery[] }>(
    `query ($webhookId: ID, $status: WebhookDeliveryStatus, $event: WebhookEvent) {
      webhookDeliveries(webhookId: $webhookId, status: $status, event: $event) { ${DELIVERY_FIELDS} }
    }`,
    filter,
    headers,
  );
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  return response.body.data?.webhookDeliveries ?? [];
}

/** A campaign of one contact, created and started through GraphQL; its calls are held so none is dialled. */
async function startHeldCampaign(target: Org): Promise<{ id: string; number: number }> {
  const campaign = await createCampaign(target);
  await holdDialling(database(), campaign.number);
  await startCampaign(target, campaign.id);
  return campaign;
}

async function startCampaign(target: Org, id: string): Promise<void> {
  const started = await graphql(
    `mutation ($id: ID!) { startCampaign(id: $id) { ${ERROR_FIELDS} } }`,
    { id },
    target.auth,
  );
  expect(resultOf(started, "startCampaign").__typename).toBe("MutationStartCampaignSuccess");
}

async function createCampaign(target: Org): Promise<{ id: string; number: number }> {
  const agent = successData<{ id: string }>(await createAgentRequest(target.auth), "createAgent");
  const contact = successData<{ id: string }>(
    await createContactRequest(target.auth, { phone: randomFrenchMobile(), firstName: "Webhook" }),
    "createContact",
  );
  const created = await graphql(
    `mutation ($input: CreateCampaignInput!) {
      createCampaign(input: $input) { ${ERROR_FIELDS} ... on MutationCreateCampaignSuccess { data { id number } } }
    }`,
    { input: { name: "Webhook campaign", agentId: agent.id, contactIds: [contact.id] } },
    target.auth,
  );
  return successData<{ id: string; number: number }>(created, "createCampaign");
}

beforeAll(async () => {
  org = await newOrg("webhooks");
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

describe("webhook delivery", () => {
  it("delivers campaign.started from the campaign start path, signed with the webhook's secret", async () => {
    const { secret, webhook } = await registered(org.auth, receiver.url, ["CAMPAIGN_STARTED"]);
    expect(webhook.events).toEqual(["campaign.started"]);
    const campaign = await startHeldCampaign(org);

    const arrived = await pollUntil(
      async () => receiver.received.filter((hook) => hook.headers["x-switchboard-event"] === "campaign.started"),
      (hooks) => hooks.length > 0,
      10_000,
    );
    const [hook] = arrived;
    if (!hook) throw new Error("no delivery");
    expect(signatureIsValid(secret, hook)).toBe(true);
    expect(signatureIsValid(`${secret}x`, hook)).toBe(false);
    const body = JSON.parse(hook.body) as { event: string; timestamp: string; data: Record<string, unknown> };
    expect(body.event).toBe("campaign.started");
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.data).toMatchObject({ campaign_id: campaign.number, status: "running", total_calls: 1, leads: 0 });

    const log = await pollUntil(
      () => deliveries(org.auth, { webhookId: webhook.id, event: "CAMPAIGN_STARTED" }),
      (rows) => rows[0]?.status === "DELIVERED",
      10_000,
    );
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      event: "campaign.started",
      attempts: 1,
      responseStatus: 200,
      webhook: { url: receiver.url },
    });
    expect(hook.headers["x-switchboard-delivery"]).toBe(
      (
        await firstRow<{ id: string }>(database(), "select id from webhook_deliveries where webhook_id = $1", [
          uuidOf(webhook.id),
        ])
      ).id,
    );
  });

  it("retries an unreachable receiver with backoff, then dead-letters it; a replay delivers it", async () => {
    const other = await newOrg("webhooks-dead");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hook`;
    const { secret } = await registered(other.auth, url, ["CAMPAIGN_STARTED"]);
    await startHeldCampaign(other);

    const [dead] = await pollUntil(
      () => deliveries(other.auth),
      (rows) => rows[0]?.status === "DEAD_LETTER",
      20_000,
    );
    expect(dead).toMatchObject({ event: "campaign.started", attempts: 4, responseStatus: null });
    expect(dead?.lastError).toBeTruthy();

    // The receiver comes up; replaying the dead letter delivers the same event.
    const revived = await startWebhookReceiver(port);
    try {
      const replay = await graphql(
        `mutation ($id: ID!) {
          replayWebhookDelivery(id: $id) {
            ${ERROR_FIELDS} ... on MutationReplayWebhookDeliverySuccess { data { status attempts } }
          }
        }`,
        { id: dead?.id },
        other.auth,
      );
      expect(successData(replay, "replayWebhookDelivery")).toEqual({ status: "PENDING", attempts: 0 });
      const [delivered] = await pollUntil(
        () => deliveries(other.auth),
        (rows) => rows[0]?.status === "DELIVERED",
        10_000,
      );
      expect(delivered).toMatchObject({ id: dead?.id, attempts: 1, responseStatus: 200 });
      expect(revived.received).toHaveLength(1);
      const [hook] = revived.received;
      if (!hook) throw new Error("no delivery");
      expect(signatureIsValid(secret, hook)).toBe(true);
      expect(JSON.parse(hook.body)).toMatchObject({ event: "campaign.started" });
    } finally {
      await revived.close();
    }
  });

  it("completes a campaign whose calls are done and delivers campaign.completed", async () => {
    const other = await newOrg("webhooks-completed");
    const own = await startWebhookReceiver();
    try {
      await registered(other.auth, own.url, ["CAMPAIGN_STARTED", "CAMPAIGN_COMPLETED"]);
      const campaign = await createCampaign(other);
      // Its one call is settled before the start: the dialer's first tick finds nothing left and completes it.
      await database().query("update calls set status = 'completed' where campaign_id = $1", [uuidOf(campaign.id)]);
      await startCampaign(other, campaign.id);
      const events = await pollUntil(
        async () => own.received.map((hook) => JSON.parse(hook.body) as { event: string; data: { status: string } }),
        (seen) => seen.some((body) => body.event === "campaign.completed"),
        15_000,
      );
      expect(events.map((body) => body.event)).toEqual(["campaign.started", "campaign.completed"]);
      expect(events[1]?.data).toMatchObject({ campaign_id: campaign.number, status: "completed", total_calls: 1 });
    } finally {
      await own.close();
    }
  });
});

describe("the cron sweep", () => {
  it("sends a pending delivery whose kick was lost", async () => {
    const other = await newOrg("webhooks-sweep");
    const own = await startWebhookReceiver();
    try {
      const { secret, webhook } = await registered(other.auth, own.url, ["ORDER_COMPLETED"]);
      // Queued as emitWebhookEvent would, but nobody kicks the dispatcher (the worker died after its commit).
      await database().query(
        `insert into webhook_deliveries (org_id, webhook_id, event, payload, idempotency_key, status, next_attempt_at)
         values ($1, $2, 'order_completed', '{"user_id":"+2250700000000"}', 'lost-kick', 'pending',
           now() - interval '5 minutes')`,
        [other.orgId, uuidOf(webhook.id)],
      );
      await sleep(500);
      expect(own.received).toEqual([]);
      const cron = await rest("GET", "/__scheduled?cron=*+*+*+*+*");
      expect(cron.status).toBe(200);
      const [hook] = await pollUntil(
        async () => own.received,
        (seen) => seen.length > 0,
        10_000,
      );
      if (!hook) throw new Error("no delivery");
      expect(signatureIsValid(secret, hook)).toBe(true);
      expect(JSON.parse(hook.body)).toMatchObject({
        event: "order_completed",
        data: { user_id: "+2250700000000" },
      });
    } finally {
      await own.close();
    }
  });
});

describe("call events", () => {
  /** POSTs to the internal API signed as the media node signs, expecting 200. */
  async function signedPost(path: string, payload: unknown): Promise<void> {
    const body = JSON.stringify(payload);
    const signature = await signInternalRequest({ secret: inject("internalApiSecret"), method: "POST", path, body });
    const response = await rest("POST", path, {
      headers: { "content-type": "application/json", ...signature },
      rawBody: body,
    });
    expect(response.status, response.text).toBe(200);
  }

  /** Reports one event of the call as the media node does. */
  const report = (callId: string, key: string, event: Record<string, unknown>) =>
    signedPost(`/internal/v1/calls/${callId}/events`, {
      idempotency_key: `${callId}:${key}`,
      occurred_at: new Date().toISOString(),
      attempt: 1,
      jambonz_call_sid: `sid-${callId}`,
      ...event,
    });

  const agentTurn = (callId: string, input: unknown) =>
    signedPost(`/internal/v1/calls/${callId}/turn`, { attempt: 1, input });

  /** A pending campaign call whose scenario ends on a lead after one answer (fixtures straight into the database). */
  async function leadCall(orgId: string): Promise<string> {
    const one = (text: string, values: unknown[]) => firstRow<{ id: string }>(database(), text, values);
    const account = await one("select id from accounts where org_id = $1 and is_default", [orgId]);
    const agent = await one(
      `insert into agents (org_id, slug, name, kind, mode, language, scenario) values ($1, 'webhook_lead', 'Lead agent',
       'voice', 'scenario', 'en', '{"name":"lead","steps":{"hi":{"message_text":"Hello.","intent_mapping":{"*":"bye"}},
       "bye":{"message_text":"Bye.","is_terminal":true,"result":"lead"}}}') returning id`,
      [orgId],
    );
    const campaign = await one(
      "insert into campaigns (org_id, account_id, agent_id, name) values ($1, $2, $3, 'Lead campaign') returning id",
      [orgId, account.id, agent.id],
    );
    const call = await one(
      `insert into calls (org_id, campaign_id, agent_id, account_id, to_number, status)
       values ($1, $2, $3, $4, '+33612345678', 'pending') returning id`,
      [orgId, campaign.id, agent.id, account.id],
    );
    return call.id;
  }

  it("delivers call.lead and call.completed when a call ends on a lead", async () => {
    const other = await newOrg("webhooks-calls");
    const own = await startWebhookReceiver();
    try {
      const { secret } = await registered(other.auth, own.url, ["CALL_LEAD", "CALL_COMPLETED"]);
      const callId = await leadCall(other.orgId);
      await report(callId, "calling", { type: "status", status: "calling" });
      await report(callId, "answered", { type: "status", status: "in_progress" });
      await agentTurn(callId, { kind: "start" });
      await report(callId, "turn0", { type: "turn", sequence: 0, speaker: "agent", text: "Hello." });
      await agentTurn(callId, { kind: "speech", transcript: "Yes please", confidence: 0.9 });
      await report(callId, "turn1", { type: "turn", sequence: 1, speaker: "contact", text: "Yes please" });
      // Before the end, nothing is sent.
      expect(own.received).toEqual([]);
      await report(callId, "completed", { type: "status", status: "completed", duration_ms: 12_000 });

      const hooks = await pollUntil(
        async () => own.received,
        (seen) => seen.length >= 2,
        10_000,
      );
      const bodies = hooks.map((hook) => JSON.parse(hook.body) as { event: string; data: Record<string, unknown> });
      expect(bodies.map((body) => body.event).sort()).toEqual(["call.completed", "call.lead"]);
      for (const body of bodies) {
        expect(body.data).toMatchObject({
          call_uuid: callId,
          status: "completed",
          result: "lead",
          duration_seconds: 12,
        });
      }
      expect(hooks.every((hook) => signatureIsValid(secret, hook))).toBe(true);
      // A replayed report changes nothing and sends nothing more.
      await report(callId, "completed", { type: "status", status: "completed", duration_ms: 12_000 });
      const log = await pollUntil(
        () => deliveries(other.auth),
        (rows) => rows.every((row) => row.status === "DELIVERED"),
        10_000,
      );
      expect(log).toHaveLength(2);
    } finally {
      await own.close();
    }
  });
});

describe("webhook management", () => {
  it("tests a webhook synchronously with a signed webhook.test event", async () => {
    const own = await startWebhookReceiver();
    try {
      const { secret, webhook } = await registered(org.auth, own.url, ["CALL_LEAD", "CALL_COMPLETED"]);
      const response = await graphql(
        `mutation ($id: ID!) {
          testWebhook(id: $id) { ${ERROR_FIELDS} ... on MutationTestWebhookSuccess { data { success statusCode response } } }
        }`,
        { id: webhook.id },
        org.auth,
      );
      expect(successData(response, "testWebhook")).toEqual({ success: true, statusCode: 200, response: "OK" });
      expect(own.received).toHaveLength(1);
      const [hook] = own.received;
      if (!hook) throw new Error("no test delivery");
      expect(signatureIsValid(secret, hook)).toBe(true);
      expect(JSON.parse(hook.body)).toMatchObject({ event: "webhook.test" });

      own.answerWith(500);
      const failed = await graphql(
        `mutation ($id: ID!) {
          testWebhook(id: $id) { ${ERROR_FIELDS} ... on MutationTestWebhookSuccess { data { success statusCode } } }
        }`,
        { id: webhook.id },
        org.auth,
      );
      expect(successData(failed, "testWebhook")).toEqual({ success: false, statusCode: 500 });
    } finally {
      await own.close();
    }
  });

  it("registers a URL once per organisation, lists it and deletes it", async () => {
    const other = await newOrg("webhooks-manage");
    const url = "http://127.0.0.1:9/manage";
    const first = await registered(other.auth, url, ["CALL_LEAD"]);
    const again = await registered(other.auth, url, ["CALL_LEAD", "CALL_COMPLETED"]);
    expect(again.webhook.id).toBe(first.webhook.id);
    expect(again.secret).toBe(first.secret);
    expect(again.webhook.events).toEqual(["call.lead", "call.completed"]);
    const listed = await graphql<{ webhooks: Array<{ id: string; url: string }> }>(
      "{ webhooks { id url } }",
      undefined,
      other.auth,
    );
    expect(listed.body.data?.webhooks).toEqual([{ id: first.webhook.id, url }]);
    const deleted = await graphql(
      `mutation ($id: ID!) { deleteWebhook(id: $id) { ${ERROR_FIELDS} ... on MutationDeleteWebhookSuccess { data { id } } } }`,
      { id: first.webhook.id },
      other.auth,
    );
    expect(successData(deleted, "deleteWebhook")).toEqual({ id: first.webhook.id });
    const after = await graphql<{ webhooks: unknown[] }>("{ webhooks { id } }", undefined, other.auth);
    expect(after.body.data?.webhooks).toEqual([]);
  });

  it.each([
    "http://10.0.0.1/hook",
    "http://172.20.1.1/hook",
    "http://192.168.0.10/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://127.0.0.2/hook",
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[fd00::1]/hook",
    "http://[fe80::1]/hook",
    "http://localhost/hook",
    "ftp://example.com/hook",
  ])("refuses the target %s (SSRF)", async (url) => {
    const result = await register(org.auth, url, ["CALL_LEAD"]);
    expect(result.__typename).toBe("ValidationError");
    expect(result.issues?.[0]?.path).toEqual(["url"]);
  });
});

describe("Botlive webhook routes", () => {
  const botlive = (path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
    rest("POST", path, { headers: { "x-api-key": org.key.secret, ...options.headers }, body: options.body });

  it("registers with X-API-Key and Botlive's body, then tests the URL", async () => {
    const own = await startWebhookReceiver();
    try {
      const registeredHook = await botlive("/botlive/webhook/register", {
        body: {
          webhook_url: own.url,
          events: ["order_completed", "payment_validated", "intervention_required"],
        },
      });
      expect(registeredHook.status).toBe(200);
      const body = registeredHook.body as { success: boolean; message: string; config: Record<string, unknown> };
      expect(body).toMatchObject({
        success: true,
        message: "Webhook enregistré",
        config: {
          webhook_url: own.url,
          events: ["order_completed", "payment_validated", "intervention_required"],
          signature_header: "X-Switchboard-Signature",
        },
      });
      const secret = String(body.config.secret);

      const tested = await botlive(`/botlive/webhook/test?webhook_url=${encodeURIComponent(own.url)}`);
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({ success: true, status_code: 200, response: "OK" });
      const [hook] = own.received;
      if (!hook) throw new Error("no test delivery");
      expect(signatureIsValid(secret, hook)).toBe(true);
    } finally {
      await own.close();
    }
  });

  it("requires an API key", async () => {
    const response = await rest("POST", "/botlive/webhook/register", {
      body: { webhook_url: "https://n8n.example.com/webhook/botlive" },
    });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ success: false, error: "unauthorized" });
  });

  it("refuses private targets and bad bodies with 422, and another company's id with 403", async () => {
    const privateTarget = await botlive("/botlive/webhook/register", { body: { webhook_url: "http://192.168.1.1/x" } });
    expect(privateTarget.status).toBe(422);
    expect(privateTarget.body).toMatchObject({ success: false, error: "validation_error" });
    const privateTest = await botlive(`/botlive/webhook/test?webhook_url=${encodeURIComponent("http://[::1]:80/")}`);
    expect(privateTest.status).toBe(422);
    const badEvent = await botlive("/botlive/webhook/register", {
      body: { webhook_url: "https://n8n.example.com/hook", events: ["order_shipped"] },
    });
    expect(badEvent.status).toBe(422);
    const noUrl = await botlive("/botlive/webhook/register", { body: { events: ["order_completed"] } });
    expect(noUrl.status).toBe(422);
    const otherCompany = await botlive("/botlive/webhook/register", {
      body: { webhook_url: "https://n8n.example.com/hook", company_id: "4OS4yFcf2LZwxhKojbAVbKuVuSdb" },
    });
    expect(otherCompany.status).toBe(403);
  });

  it("tests only the caller's own webhooks (tenant isolation)", async () => {
    const own = await startWebhookReceiver();
    try {
      await registered(org.auth, own.url, ["ORDER_COMPLETED"]);
      const intruder = await newOrg("webhooks-intruder");
      const tested = await rest("POST", `/botlive/webhook/test?webhook_url=${encodeURIComponent(own.url)}`, {
        headers: { "x-api-key": intruder.key.secret },
      });
      expect(tested.status).toBe(404);
      expect(own.received).toHaveLength(0);
      expect(await deliveries(intruder.auth)).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

/** Global ids of Relay nodes are base64 of `Type:uuid`. */
function uuidOf(globalId: string): string {
  return Buffer.from(globalId, "base64").toString("utf8").split(":").slice(1).join(":");
}
