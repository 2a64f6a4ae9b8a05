import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { botlive, createTenant, customerNumber, say, type Tenant } from "./conformance/botlive/client.js";
import { pollUntil } from "./support/calls.js";
import { useDatabase } from "./support/database.js";
import { signatureIsValid, startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

/**
 * A French order taken to `completed` through /botlive/message, with an N8N webhook registered through
 * /botlive/webhook/register: the local receiver gets intervention_required (short deposit), payment_validated and
 * order_completed, each signed with the webhook's secret, in Botlive's documented `{event, timestamp, data}` shape.
 */

const db = useDatabase();
let tenant: Tenant;
let receiver: WebhookReceiver;
let secret = "";

beforeAll(async () => {
  tenant = await createTenant(db(), "botlive-hooks");
  receiver = await startWebhookReceiver();
  const registered = await botlive("POST", "/webhook/register", tenant.headers, {
    webhook_url: receiver.url,
    events: ["order_completed", "payment_validated", "intervention_required"],
    company_id: tenant.companyId,
  });
  expect(registered.status, registered.text).toBe(200);
  secret = String((registered.body as { config: { secret: string } }).config.secret);
});

afterAll(async () => {
  await receiver?.close();
});

type Event = { event: string; timestamp: string; data: Record<string, unknown> };

describe("Botlive webhooks from a French order", () => {
  it("delivers intervention_required, payment_validated and order_completed, signed", async () => {
    const user = customerNumber();
    await say(tenant, user, "Je veux commander des lingettes");
    await say(tenant, user, "J'ai payé 1500 FCFA");
    await say(tenant, user, "Voici le reste", {
      images: [{ url: "https://example.com/wave.jpg", amount: 520, reference: "WAVE-ABC123" }],
    });
    await say(tenant, user, "Je suis à Yopougon");
    const done = await say(tenant, user, "0709876543");
    expect(done.next_step).toBe("completed");

    const events = () =>
      receiver.received.map((hook) => JSON.parse(hook.body) as Event).filter((event) => event.data.user_id === user);
    await pollUntil(
      async () => events().map((event) => event.event),
      (names) => names.includes("order_completed") && names.length >= 3,
      15_000,
    );
    for (const hook of receiver.received) expect(signatureIsValid(secret, hook)).toBe(true);
    const byName = Object.fromEntries(events().map((event) => [event.event, event]));
    expect(byName.intervention_required).toEqual({
      event: "intervention_required",
      timestamp: expect.stringMatching(/Z$/),
      data: { user_id: user, type: "payment_issue", message: "Montant insuffisant: 1500 FCFA reçu, 2000 FCFA requis" },
    });
    expect(byName.payment_validated?.data).toEqual({
      user_id: user,
      amount: 2020,
      currency: "FCFA",
      reference: "WAVE-ABC123",
    });
    expect(byName.order_completed?.data).toEqual({
      user_id: user,
      company_id: tenant.companyId,
      order_status: {
        produit: "✅PRODUIT:des lingettes[MESSAGE]",
        paiement: "✅PAIEMENT:2020 FCFA[TRANSACTIONS]",
        zone: "✅ZONE:Yopougon-1500 FCFA[MESSAGE]",
        numero: "✅NUMÉRO:0709876543[MESSAGE]",
        completion_rate: 100,
        is_complete: true,
      },
    });
  });
});
