import { beforeAll, describe, expect, it } from "vitest";
import { useDatabase } from "../../support/database.js";
import { rest } from "../../support/http.js";
import {
  botlive,
  createTenant,
  customerNumber,
  ISO_SECONDS,
  legacyCompanyId,
  ORDER_STATUS_SHAPE,
  type SseEvent,
  say,
  streamMessage,
  type Tenant,
} from "./client.js";

/**
 * Every example of shared/api-docs/botlive.md (except the two webhook routes, which another branch owns), replayed
 * with its documented body and checked against the documented shape. The rules engine answers (no LLM configured on
 * the shared worker) and says so: mode "rules:v1".
 */

const db = useDatabase();
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant(db());
});

describe("POST /botlive/message", () => {
  it("answers the documented example (text + image): the photo fills produit from the image, 25 %, next paiement", async () => {
    const body = await say(tenant, customerNumber(), "Je veux commander", {
      images: ["https://example.com/image1.jpg"],
      conversation_history: "User: Bonjour\nBot: Bonjour! ...",
    });
    expect(body.response).toBe("Photo reçue ! Dépôt: 2000 FCFA");
    expect(body.order_status).toEqual({
      produit: "✅PRODUIT:produit (photo)[VISION]",
      paiement: "",
      zone: "",
      numero: "",
      completion_rate: 25,
      is_complete: false,
    });
    expect(body.next_step).toBe("paiement");
    expect(body.mode).toBe("rules:v1");
  });

  it("takes the image's name as the product (image metadata), as the document's `lingettes[VISION]`", async () => {
    const body = await say(tenant, customerNumber(), "", { images: ["https://cdn.example.com/media/lingettes.jpg"] });
    expect(body.order_status.produit).toBe("✅PRODUIT:lingettes[VISION]");
  });

  it("answers the cURL examples: a simple Bonjour and an image alone", async () => {
    const hello = await say(tenant, customerNumber(), "Bonjour");
    expect(hello.next_step).toBe("produit");
    expect(hello.order_status.completion_rate).toBe(0);
    expect(hello.intent).toBe("greeting");
    expect(hello.confidence).toBeGreaterThan(0.5);
    const image = await say(tenant, customerNumber(), "", { images: ["https://example.com/product.jpg"] });
    expect(image.order_status.produit).toBe("✅PRODUIT:product[VISION]");
  });

  it("accepts N8N's `images` sent as one string (the documented template interpolates media_urls)", async () => {
    const body = await say(tenant, customerNumber(), "", { images: "https://example.com/savon.png" });
    expect(body.order_status.produit).toBe("✅PRODUIT:savon[VISION]");
  });

  it("refuses a body without user_id (422) and bad JSON (400) in the error envelope", async () => {
    const missing = await botlive("POST", "/message", tenant.headers, { company_id: tenant.companyId, message: "x" });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({
      success: false,
      error: "validation_error",
      detail: expect.stringContaining("user_id"),
      request_id: expect.any(String),
    });
    const bad = await rest("POST", "/botlive/message", {
      headers: { ...tenant.headers, "content-type": "application/json" },
      rawBody: "{nope",
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, error: "invalid_json" });
  });
});

describe("POST /botlive/message/stream", () => {
  it("streams start, then tokens, then done; every data line is JSON and the tokens make the reply", async () => {
    const { response, text, events } = await streamMessage(tenant, {
      company_id: tenant.companyId,
      user_id: customerNumber(),
      message: "",
      images: ["https://example.com/image1.jpg"],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    for (const line of text.split("\n").filter((l) => l.startsWith("data:"))) {
      expect(() => JSON.parse(line.slice(5))).not.toThrow();
    }
    const [start, ...rest] = events as [SseEvent, ...SseEvent[]];
    expect(start).toEqual({ event: "start", request_id: expect.any(String) });
    const done = rest.at(-1) as SseEvent;
    const tokens = rest.slice(0, -1);
    expect(tokens.length).toBeGreaterThan(2);
    for (const token of tokens) expect(token).toEqual({ event: "token", content: expect.any(String) });
    expect(done).toMatchObject({ event: "done", order_status: ORDER_STATUS_SHAPE, next_step: "paiement" });
    expect(tokens.map((token) => token.content).join("")).toBe("Photo reçue ! Dépôt: 2000 FCFA");
    expect(tokens[0]?.content).toBe("Photo ");
  });

  it("answers a bad request with a JSON error before any stream", async () => {
    const response = await botlive("POST", "/message/stream", tenant.headers, { company_id: tenant.companyId });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ success: false, error: "validation_error" });
  });
});

describe("dashboards", () => {
  it("GET /botlive/stats/{company_id} answers the documented keys, for each time_range", async () => {
    for (const range of ["today", "week", "month"]) {
      const response = await botlive("GET", `/stats/${tenant.companyId}?time_range=${range}`, tenant.headers);
      expect(response.status, response.text).toBe(200);
      expect(response.body).toEqual({
        ca_live_session: expect.any(Number),
        ca_variation: expect.stringMatching(/^[+-]\d+%$/),
        commandes_total: expect.any(Number),
        commandes_variation: expect.stringMatching(/^[+-]\d+$/),
        clients_actifs: expect.any(Number),
        interventions_requises: expect.any(Number),
        time_range: range,
        updated_at: ISO_SECONDS,
      });
    }
    const fallback = await botlive("GET", `/stats/${tenant.companyId}`, tenant.headers);
    expect((fallback.body as { time_range: string }).time_range).toBe("today");
    const bad = await botlive("GET", `/stats/${tenant.companyId}?time_range=year`, tenant.headers);
    expect(bad.status).toBe(422);
  });

  it("GET /botlive/orders/active/{company_id} lists in-progress orders in the documented shape", async () => {
    const user = customerNumber();
    await say(tenant, user, "Je veux commander 1x Produit A", { user_name: "Sophie Laurent" });
    await say(tenant, user, "Je suis à Yopougon");
    const response = await botlive("GET", `/orders/active/${tenant.companyId}?limit=50`, tenant.headers);
    expect(response.status, response.text).toBe(200);
    const body = response.body as { success: boolean; orders: Array<Record<string, unknown>>; total: number };
    expect(body.success).toBe(true);
    expect(body.total).toBe(body.orders.length);
    expect(body.orders.find((order) => order.user_id === user)).toEqual({
      user_id: user,
      user_name: "Sophie Laurent",
      produit: "1x Produit A",
      paiement: "",
      zone: "Yopougon",
      numero: "",
      completion_rate: 50,
      created_at: ISO_SECONDS,
    });
  });

  it("GET /botlive/interventions/{company_id} lists alerts with their order_status", async () => {
    const user = customerNumber();
    await say(tenant, user, "Je veux commander un sac");
    await say(tenant, user, "J'ai payé 1500 FCFA");
    const response = await botlive("GET", `/interventions/${tenant.companyId}`, tenant.headers);
    expect(response.status, response.text).toBe(200);
    const body = response.body as { success: boolean; interventions: Array<Record<string, unknown>>; count: number };
    expect(body.count).toBe(body.interventions.length);
    expect(body.interventions.find((entry) => entry.user_id === user)).toEqual({
      user_id: user,
      type: "payment_issue",
      message: "Montant insuffisant: 1500 FCFA reçu, 2000 FCFA requis",
      order_status: { ...ORDER_STATUS_SHAPE, produit: "✅PRODUIT:un sac[MESSAGE]" },
      created_at: ISO_SECONDS,
    });
  });

  it("GET /botlive/activity/{company_id} answers events with relative French timestamps", async () => {
    await say(tenant, customerNumber(), "", { images: ["https://example.com/gel.jpg"], user_name: "Thomas Petit" });
    const response = await botlive("GET", `/activity/${tenant.companyId}?limit=10`, tenant.headers);
    expect(response.status, response.text).toBe(200);
    const body = response.body as { success: boolean; activities: Array<Record<string, unknown>> };
    expect(body.success).toBe(true);
    expect(body.activities.length).toBeGreaterThan(0);
    expect(body.activities.length).toBeLessThanOrEqual(10);
    for (const activity of body.activities) {
      expect(activity).toMatchObject({ type: expect.any(String), client: expect.any(String) });
      expect(activity.timestamp).toMatch(/^(à l'instant|il y a \d+ (min|h|j))$/);
    }
    expect(body.activities).toContainEqual({
      type: "paiement_en_cours",
      client: "Thomas Petit",
      produit: "gel",
      timestamp: "à l'instant",
    });
  });
});

describe("admin and health", () => {
  it("POST /botlive/admin/clear-state/{user_id} resets the customer's order", async () => {
    const user = customerNumber();
    await say(tenant, user, "Je veux commander des lingettes");
    const response = await botlive("POST", `/admin/clear-state/${encodeURIComponent(user)}`, tenant.headers);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({ success: true, message: `État réinitialisé pour ${user}` });
    const after = await say(tenant, user, "Bonjour");
    expect(after.order_status.completion_rate).toBe(0);
    expect(after.next_step).toBe("produit");
  });

  it("documents every Botlive route in /openapi.json", async () => {
    const document = (await rest("GET", "/openapi.json")).body as { paths: Record<string, unknown> };
    for (const path of [
      "/botlive/message",
      "/botlive/message/stream",
      "/botlive/stats/{company_id}",
      "/botlive/orders/active/{company_id}",
      "/botlive/interventions/{company_id}",
      "/botlive/activity/{company_id}",
      "/botlive/admin/clear-state/{user_id}",
      "/botlive/health",
    ]) {
      expect(document.paths, path).toHaveProperty([path]);
    }
  });

  it("GET /botlive/health answers without credentials", async () => {
    const response = await botlive("GET", "/health", {});
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "healthy", engine: "initialized", timestamp: ISO_SECONDS });
  });
});

describe("API key and company_id", () => {
  it("refuses a call without X-API-Key (401) or with a wrong one", async () => {
    const anonymous = await botlive(
      "POST",
      "/message",
      {},
      { company_id: tenant.companyId, user_id: "x", message: "Bonjour" },
    );
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({
      success: false,
      error: "unauthorized",
      detail: expect.stringContaining("X-API-Key"),
    });
    const wrong = await botlive("GET", `/stats/${tenant.companyId}`, { "x-api-key": "sk_live_wrong" });
    expect(wrong.status).toBe(401);
  });

  it("answers a path the document does not have in the same envelope", async () => {
    for (const [method, path] of [
      ["GET", "/nothing"],
      ["POST", "/message/stream/extra"],
      ["GET", "/webhook/register"],
    ] as const) {
      const response = await botlive(method, path, tenant.headers);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body).toMatchObject({ success: false, error: "not_found" });
    }
  });

  it("answers 404 for an unknown company_id and 403 for another organisation's", async () => {
    const other = await createTenant(db(), "botlive-other");
    const unknown = await botlive("GET", `/stats/${legacyCompanyId()}`, tenant.headers);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ success: false, error: "company_not_found" });
    const foreign = await botlive("GET", `/orders/active/${other.companyId}`, tenant.headers);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ success: false, error: "forbidden" });
    const message = await botlive("POST", "/message", tenant.headers, {
      company_id: other.companyId,
      user_id: customerNumber(),
      message: "Bonjour",
    });
    expect(message.status).toBe(403);
  });
});

describe("rate limits", () => {
  it("allows 60 stats requests a minute per key, then 429 with Retry-After and X-RateLimit-* headers", async () => {
    const own = await createTenant(db(), "botlive-limits");
    const statuses: number[] = [];
    for (let index = 0; index < 60; index++) {
      const response = await botlive("GET", `/stats/${own.companyId}`, own.headers);
      statuses.push(response.status);
      if (index === 0) {
        expect(response.headers.get("x-ratelimit-limit")).toBe("60");
        expect(response.headers.get("x-ratelimit-remaining")).toBe("59");
      }
    }
    expect(statuses.every((status) => status === 200)).toBe(true);
    const refused = await botlive("GET", `/stats/${own.companyId}`, own.headers);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, error: "rate_limit_exceeded" });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    // Messages are counted apart: the stats limit does not stop the bot.
    expect((await say(own, customerNumber(), "Bonjour")).success).toBe(true);
  });
});
