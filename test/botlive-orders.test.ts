import { beforeAll, describe, expect, it } from "vitest";
import { botlive, createTenant, customerNumber, say, type Tenant } from "./conformance/botlive/client.js";
import { bearer, ERROR_FIELDS, registerUser, resultOf, successData } from "./support/accounts.js";
import { firstRow, useDatabase } from "./support/database.js";
import { graphql, rest } from "./support/http.js";

/**
 * The Botlive order bot end to end in rules mode (rules:v1): a French conversation taken to `completed`, the
 * payment rules (insufficient raises an intervention, validated is never downgraded), zones and fees, phone forms,
 * Spanish and English replies, tenant isolation, and Meuble's /api/chat on the same engine.
 */

const db = useDatabase();
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant(db());
});

describe("a French order conversation", () => {
  it("goes produit → paiement → zone → numero → completed, with the documented slot strings", async () => {
    const user = customerNumber();
    const hello = await say(tenant, user, "Bonjour");
    expect(hello.response).toMatch(/^Bonjour ! Quel produit/);
    expect(hello.language).toBe("fr");

    const photo = await say(tenant, user, "Je veux ça", { images: ["https://example.com/catalogue/lingettes.jpg"] });
    expect(photo.order_status.produit).toBe("✅PRODUIT:lingettes[VISION]");
    expect(photo.next_step).toBe("paiement");

    const paid = await say(tenant, user, "Voici la capture du paiement", {
      images: [{ url: "https://example.com/wave-receipt.jpg", amount: 2020, reference: "WAVE-ABC123" }],
    });
    expect(paid.order_status.paiement).toBe("✅PAIEMENT:2020 FCFA[TRANSACTIONS]");
    expect(paid.order_status.completion_rate).toBe(50);
    expect(paid.next_step).toBe("zone");
    expect(paid.response).toContain("2020 FCFA");

    const zone = await say(tenant, user, "Je suis à Yopougon");
    expect(zone.order_status.zone).toBe("✅ZONE:Yopougon-1500 FCFA[MESSAGE]");
    expect(zone.next_step).toBe("numero");
    expect(zone.response).toContain("1500 FCFA");

    const done = await say(tenant, user, "Mon numéro c'est +225 07 09 87 65 43");
    expect(done.order_status).toEqual({
      produit: "✅PRODUIT:lingettes[VISION]",
      paiement: "✅PAIEMENT:2020 FCFA[TRANSACTIONS]",
      zone: "✅ZONE:Yopougon-1500 FCFA[MESSAGE]",
      numero: "✅NUMÉRO:0709876543[MESSAGE]",
      completion_rate: 100,
      is_complete: true,
    });
    expect(done.next_step).toBe("completed");
    expect(done.response).toContain("commande est confirmée");

    const row = await firstRow<{
      status: string;
      completed_at: Date | null;
      payment_status: string;
      delivery_fee: number;
    }>(
      db(),
      "select status, completed_at, payment_status, delivery_fee from orders where org_id = $1 and customer_ref = $2",
      [tenant.orgId, user],
    );
    expect(row).toMatchObject({ status: "completed", payment_status: "validated", delivery_fee: 1500 });
    expect(row.completed_at).not.toBeNull();
    const history = await firstRow<{ count: number }>(
      db(),
      `select count(*)::int as count from messages m join conversations c on c.id = m.conversation_id
       where c.org_id = $1 and c.session_key = $2`,
      [tenant.orgId, user],
    );
    expect(history.count).toBe(10);
  });

  it("reads payment, zone and numero from one text message, and ships outside Abidjan from 3500 FCFA", async () => {
    const user = customerNumber();
    await say(tenant, user, "Je veux commander 2 savons");
    const all = await say(tenant, user, "J'ai envoyé 2000 FCFA, livraison à Bouaké, mon numéro 07.12.34.56.78");
    expect(all.order_status.paiement).toBe("✅PAIEMENT:2000 FCFA[MESSAGE]");
    expect(all.order_status.zone).toBe("✅ZONE:Bouaké (expédition)-3500 FCFA[MESSAGE]");
    expect(all.order_status.numero).toBe("✅NUMÉRO:0712345678[MESSAGE]");
    expect(all.next_step).toBe("completed");
  });
});

describe("payment rules", () => {
  it("an insufficient deposit raises a payment_issue intervention; a top-up validates it; it is never downgraded", async () => {
    const user = customerNumber();
    await say(tenant, user, "Je veux commander un pagne");
    const short = await say(tenant, user, "J'ai payé 1500 FCFA");
    expect(short.order_status.paiement).toBe("");
    expect(short.next_step).toBe("paiement");
    expect(short.response).toContain("Montant insuffisant");
    const intervention = await firstRow<{ type: string; message: string; status: string }>(
      db(),
      "select type, message, status from interventions where org_id = $1 and customer_ref = $2",
      [tenant.orgId, user],
    );
    expect(intervention).toEqual({
      type: "payment_issue",
      message: "Montant insuffisant: 1500 FCFA reçu, 2000 FCFA requis",
      status: "open",
    });
    const topUp = await say(tenant, user, "J'ai envoyé encore 500 FCFA");
    expect(topUp.order_status.paiement).toBe("✅PAIEMENT:2000 FCFA[MESSAGE]");
    const again = await say(tenant, user, "J'ai payé 100 FCFA");
    expect(again.order_status.paiement).toBe("✅PAIEMENT:2000 FCFA[MESSAGE]");
  });

  it("asking for a human, or shouting, raises an intervention", async () => {
    const user = customerNumber();
    const human = await say(tenant, user, "Je veux parler à un conseiller");
    expect(human.intent).toBe("human_request");
    const angry = await say(tenant, user, "C'EST UNE ARNAQUE VOTRE SERVICE");
    expect(angry.intent).toBe("frustration");
    const { rows } = await db().query(
      "select type from interventions where org_id = $1 and customer_ref = $2 order by created_at",
      [tenant.orgId, user],
    );
    expect(rows.map((row) => row.type)).toEqual(["human_requested", "frustration"]);
  });
});

describe("concurrent messages", () => {
  it("one customer's simultaneous messages apply one after another to a single order", async () => {
    const user = customerNumber();
    const messages = [
      "Je veux commander un panier",
      "Je suis à Cocody",
      "0701020304",
      "J'ai payé 2000 FCFA",
      "Bonjour",
    ];
    await Promise.all(messages.map((message) => say(tenant, user, message)));
    const { rows } = await db().query(
      "select status, completion_rate from orders where org_id = $1 and customer_ref = $2",
      [tenant.orgId, user],
    );
    expect(rows).toEqual([{ status: "completed", completion_rate: 100 }]);
  });
});

describe("stuck orders", () => {
  it("an order idle below 100 % for over 30 minutes becomes one stuck_order intervention", async () => {
    const user = customerNumber();
    await say(tenant, user, "Je veux commander un ventilateur");
    await db().query(
      "update orders set updated_at = now() - interval '31 minutes' where org_id = $1 and customer_ref = $2",
      [tenant.orgId, user],
    );
    const stuck = async () => {
      const response = await botlive("GET", `/interventions/${tenant.companyId}`, tenant.headers);
      return (
        response.body as { interventions: Array<{ user_id: string; type: string; message: string }> }
      ).interventions.filter((entry) => entry.user_id === user);
    };
    expect(await stuck()).toEqual([
      {
        user_id: user,
        type: "stuck_order",
        message: "Commande bloquée à 25% depuis plus de 30 minutes",
        order_status: expect.any(Object),
        created_at: expect.any(String),
      },
    ]);
    // Read again: still one, not another per look.
    expect(await stuck()).toHaveLength(1);
  });
});

describe("languages", () => {
  it("answers Spanish in Spanish and English in English", async () => {
    const es = await say(tenant, customerNumber(), "Hola, quiero comprar una camisa por favor");
    expect(es.language).toBe("es");
    expect(es.response).toContain("envíe un depósito de 2000 FCFA");
    expect(es.order_status.produit).toBe("✅PRODUIT:una camisa[MESSAGE]");
    const en = await say(tenant, customerNumber(), "Hello, I want to order a blue dress");
    expect(en.language).toBe("en");
    expect(en.response).toContain("deposit of 2000 FCFA");
    expect(en.order_status.produit).toBe("✅PRODUIT:a blue dress[MESSAGE]");
  });
});

describe("tenant isolation", () => {
  it("two organisations with the same customer number keep separate orders, dashboards and resets", async () => {
    const other = await createTenant(db(), "botlive-b");
    const user = customerNumber();
    await say(tenant, user, "Je veux commander du miel");
    const fresh = await say(other, user, "Bonjour");
    expect(fresh.order_status.completion_rate).toBe(0);
    const activeB = await botlive("GET", `/orders/active/${other.companyId}`, other.headers);
    expect((activeB.body as { orders: Array<{ user_id: string }> }).orders).toEqual([]);
    const activityB = await botlive("GET", `/activity/${other.companyId}`, other.headers);
    expect((activityB.body as { activities: unknown[] }).activities).toEqual([]);
    const interventionsB = await botlive("GET", `/interventions/${other.companyId}`, other.headers);
    expect((interventionsB.body as { count: number }).count).toBe(0);
    // B's reset of the same number leaves A's order alone.
    await botlive("POST", `/admin/clear-state/${encodeURIComponent(user)}`, other.headers);
    const stillA = await say(tenant, user, "Bonjour");
    expect(stillA.order_status.produit).toBe("✅PRODUIT:du miel[MESSAGE]");
  });
});

describe("Meuble /api/chat on the same engine", () => {
  it("answers a complaint with intent and confidence, in the documented shape, and keeps per-user history", async () => {
    const user = await registerUser("meuble-chat");
    const headers = { ...bearer(user.accessToken), "cf-connecting-ip": "10.9.9.9" };
    const sent = await rest("POST", "/api/chat", {
      headers,
      body: { message: "Bonjour, j'ai un problème avec mon canapé", language: "fr", session_id: "session_123" },
    });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body).toMatchObject({
      success: true,
      response: expect.stringMatching(/^Bonjour ! Je suis désolé d'apprendre que vous rencontrez un problème/),
      language: "fr",
      session_id: "session_123",
      intent: "support_request",
      confidence: 0.95,
      mode: "rules:v1",
    });
    const english = await rest("POST", "/api/chat", {
      headers,
      body: { message: "My sofa is broken", session_id: "s2" },
    });
    expect(english.body).toMatchObject({ language: "en", intent: "support_request" });
    const history = await rest("GET", "/api/chat/history?limit=20&offset=0", { headers });
    expect(history.status, history.text).toBe(200);
    const body = history.body as { history: Array<{ role: string; session_id: string }>; total: number };
    expect(body.total).toBe(4);
    // Newest first: the last reply, then the message it answered.
    expect(body.history[0]).toMatchObject({ role: "assistant", session_id: "s2" });
    expect(body.history[1]).toMatchObject({ role: "user", session_id: "s2", content: "My sofa is broken" });
    const stranger = await registerUser("meuble-other");
    const theirs = await rest("GET", "/api/chat/history", { headers: bearer(stranger.accessToken) });
    expect((theirs.body as { total: number }).total).toBe(0);
  });

  it("opens a SAV ticket through the support domain when the customer asks for one", async () => {
    const user = await registerUser("meuble-ticket");
    const sent = await rest("POST", "/api/chat", {
      headers: bearer(user.accessToken),
      body: { message: "Le pied de mon canapé est cassé, je veux ouvrir un ticket SAV", session_id: "sav_1" },
    });
    expect(sent.status, sent.text).toBe(200);
    const body = sent.body as { response: string; intent: string; ticket_id: string };
    expect(body.intent).toBe("support_request");
    expect(body.ticket_id).toMatch(/^TKT-\d{4}-\d{6}$/);
    expect(body.response).toContain(body.ticket_id);
    const ticket = await rest("GET", `/api/tickets/${body.ticket_id}`, { headers: bearer(user.accessToken) });
    expect(ticket.status, ticket.text).toBe(200);
  });

  it("refuses a bad session_id (400, Meuble's code for invalid requests) and an anonymous caller (401) in Meuble's envelope", async () => {
    const user = await registerUser("meuble-bad");
    const bad = await rest("POST", "/api/chat", {
      headers: bearer(user.accessToken),
      body: { message: "Bonjour", session_id: "bad id!" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, error: "validation_error", request_id: expect.any(String) });
    const anonymous = await rest("POST", "/api/chat", { body: { message: "Bonjour" } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ success: false, error: "not_authenticated" });
  });
});

describe("GraphQL sendMessage", () => {
  const SEND = `mutation ($agent: ChatAgent!, $sessionKey: String!, $message: String!) {
    sendMessage(agent: $agent, sessionKey: $sessionKey, message: $message) {
      ${ERROR_FIELDS}
      ... on MutationSendMessageSuccess {
        data { reply intent confidence language mode order { produit completionRate isComplete nextStep } }
      }
    }
  }`;

  it("answers the reply, intent, confidence, language, mode and order progress", async () => {
    const user = await registerUser("chat-graphql");
    const sent = successData<{
      reply: string;
      intent: string;
      confidence: number;
      language: string;
      mode: string;
      order: { produit: string; completionRate: number; isComplete: boolean; nextStep: string };
    }>(
      await graphql(
        SEND,
        { agent: "ORDERS", sessionKey: customerNumber(), message: "Hola, quiero pedir un bolso" },
        bearer(user.accessToken),
      ),
      "sendMessage",
    );
    expect(sent).toMatchObject({ intent: "order", language: "es", mode: "rules:v1" });
    expect(sent.confidence).toBeGreaterThan(0.5);
    expect(sent.order).toEqual({
      produit: "✅PRODUIT:un bolso[MESSAGE]",
      completionRate: 25,
      isComplete: false,
      nextStep: "paiement",
    });
    const support = successData<{ intent: string; language: string; order: unknown }>(
      await graphql(
        SEND,
        { agent: "SUPPORT", sessionKey: "web-1", message: "My sofa is broken" },
        bearer(user.accessToken),
      ),
      "sendMessage",
    );
    expect(support).toMatchObject({ intent: "support_request", language: "en", order: null });
  });

  it("refuses an empty session key as a ValidationError, and anonymous callers", async () => {
    const user = await registerUser("chat-graphql-bad");
    const bad = resultOf(
      await graphql(SEND, { agent: "ORDERS", sessionKey: " ", message: "Bonjour" }, bearer(user.accessToken)),
      "sendMessage",
    );
    expect(bad.__typename).toBe("ValidationError");
    const anonymous = await graphql(SEND, { agent: "ORDERS", sessionKey: "x", message: "Bonjour" });
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
