import { beforeAll, describe, expect, it } from "vitest";
import {
  BASE,
  type Caller,
  demoUser,
  expectError,
  jpegBytes,
  meuble,
  newTenant,
  upload,
  uploadForm,
} from "./client.js";

/**
 * Every documented Meuble de France example (shared/api-docs/meuble-de-france.md) except chat, replayed as written:
 * requests as in the document, responses checked against its shapes. Shapes are encoded here, not read from the doc.
 */

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const HOUR = 3_600_000;
/** LEGACY-NOTES' response deadlines, by the document's priority word. */
const RESPONSE_HOURS: Record<string, number> = { critical: 4, high: 24, medium: 120, low: 168 };

let demo: Caller;

beforeAll(async () => {
  demo = (await demoUser()).caller;
});

describe("authentication", () => {
  it("POST /api/auth/login answers the token pair; POST /api/auth/refresh a fresh one", async () => {
    const user = await newTenant("meuble-login");
    const login = await meuble("POST", "/api/auth/login", null, {
      body: { email: user.email, password: user.password },
    });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      success: true,
      access_token: expect.stringMatching(/^eyJhbGci/),
      refresh_token: expect.stringMatching(/^eyJhbGci/),
      token_type: "bearer",
      expires_in: 1800,
    });
    const refreshToken = (login.body as { refresh_token: string }).refresh_token;
    const refreshed = await meuble("POST", "/api/auth/refresh", null, { body: { refresh_token: refreshToken } });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.body).toMatchObject({ success: true, access_token: expect.any(String), token_type: "bearer" });
    const access = (refreshed.body as { access_token: string }).access_token;
    const products = await meuble("GET", "/api/products", { headers: { authorization: `Bearer ${access}` } });
    expect(products.status, products.text).toBe(200);
  });

  it("POST /api/auth/logout revokes the token and its login", async () => {
    const user = await newTenant("meuble-logout");
    const out = await meuble("POST", "/api/auth/logout", user.caller);
    expect(out.status, out.text).toBe(200);
    expectError(await meuble("GET", "/api/products", user.caller), 401, "invalid_token");
    const refreshed = await meuble("POST", "/api/auth/refresh", null, { body: { refresh_token: user.refreshToken } });
    expect(refreshed.status).toBe(401);
  });

  it("a wrong password is 401 in the error envelope", async () => {
    const user = await newTenant("meuble-wrong");
    const response = await meuble("POST", "/api/auth/login", null, {
      body: { email: user.email, password: "password123" },
    });
    expectError(response, 401, "invalid_credentials");
  });

  it("admins create API keys (mdf_live_…), then used as X-API-Key", async () => {
    const admin = await newTenant("meuble-keys");
    const created = await meuble("POST", "/api/auth/api-keys", admin.caller, {
      body: { name: "Application Mobile", expires_in_days: 365 },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({
      success: true,
      api_key: expect.stringMatching(/^mdf_live_/),
      key_id: expect.any(String),
      name: "Application Mobile",
      expires_at: expect.stringMatching(ISO_SECONDS),
    });
    const expiresAt = Date.parse((created.body as { expires_at: string }).expires_at);
    expect(Math.abs(expiresAt - (Date.now() + 365 * 24 * HOUR))).toBeLessThan(60_000);
    const key = (created.body as { api_key: string }).api_key;
    const products = await meuble("GET", "/api/products", { headers: { "x-api-key": key } });
    expect(products.status, products.text).toBe(200);
    // No credential: 401, in the envelope.
    expectError(await meuble("POST", "/api/auth/api-keys", null, { body: { name: "x" } }), 401, "not_authenticated");
  });
});

describe("SAV workflow: upload, ticket, follow-up", () => {
  it("uploads a photo, opens a ticket with it, reads it back", async () => {
    const response = await meuble("POST", "/api/upload", demo, {
      rawBody: uploadForm(jpegBytes(245_760), "image/jpeg", "photo.jpg", "Photo du défaut sur le canapé"),
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({
      success: true,
      file_url: expect.stringMatching(/^http:\/\/.+\/api\/uploads\/upload_/),
      file_id: expect.stringMatching(/^upload_/),
      file_type: "image/jpeg",
      size_bytes: 245_760,
    });
    const { file_id: fileId, file_url: fileUrl } = response.body as { file_id: string; file_url: string };
    // The stable URL serves the file to its organisation.
    const file = await fetch(fileUrl, { headers: demo.headers });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(jpegBytes(245_760));

    const created = await meuble("POST", "/api/tickets", demo, {
      body: {
        customer_id: "CUST123",
        product_sku: "CANAPÉ-OSLO-3P",
        problem_category: "défaut_fabrication",
        problem_severity: "moyen",
        description: "Déchirure sur l'accoudoir gauche",
        attachments: [fileId],
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({
      success: true,
      ticket: {
        ticket_id: expect.stringMatching(new RegExp(`^TKT-${new Date().getUTCFullYear()}-\\d{6}$`)),
        status: "open",
        priority: expect.stringMatching(/^(critical|high|medium|low)$/),
        created_at: expect.stringMatching(ISO_SECONDS),
        sla_response_deadline: expect.stringMatching(ISO_SECONDS),
      },
    });
    const ticket = (created.body as { ticket: Record<string, string> }).ticket as Record<string, string>;
    // Structural defect (30) + medium (10) + warranty (5) = 45: P2, "medium", 120 h to respond.
    expect(ticket.priority).toBe("medium");
    const deadline = Date.parse(ticket.sla_response_deadline as string) - Date.parse(ticket.created_at as string);
    expect(deadline).toBe((RESPONSE_HOURS[ticket.priority as string] as number) * HOUR);

    const read = await meuble("GET", `/api/tickets/${ticket.ticket_id}`, demo);
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({
      success: true,
      ticket: {
        ticket_id: ticket.ticket_id,
        status: "open",
        priority: "medium",
        product_sku: "CANAPÉ-OSLO-3P",
        customer_id: "CUST123",
        problem_category: "défaut_fabrication",
        attachments: [fileId],
      },
    });
    expectError(await meuble("GET", "/api/tickets/TKT-1999-000001", demo), 404, "not_found");
  });

  it("a critical severity is P0: 4 hours to respond", async () => {
    const created = await meuble("POST", "/api/tickets", demo, {
      body: { problem_category: "livraison", problem_severity: "critique", description: "Meuble livré cassé" },
    });
    expect(created.status, created.text).toBe(201);
    const ticket = (created.body as { ticket: { priority: string; created_at: string; sla_response_deadline: string } })
      .ticket;
    expect(ticket.priority).toBe("critical");
    expect(Date.parse(ticket.sla_response_deadline) - Date.parse(ticket.created_at)).toBe(4 * HOUR);
  });

  it("ticket numbers are consecutive per organisation, even when created concurrently", async () => {
    const tenant = await newTenant("meuble-sequence");
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        meuble("POST", "/api/tickets", tenant.caller, {
          body: { problem_category: "tissu", problem_severity: "faible", description: `Tache ${index}` },
        }),
      ),
    );
    const ids = responses.map((response) => (response.body as { ticket: { ticket_id: string } }).ticket.ticket_id);
    const year = new Date().getUTCFullYear();
    expect(ids.sort()).toEqual(Array.from({ length: 8 }, (_, index) => `TKT-${year}-00000${index + 1}`));
  });
});

describe("products", () => {
  it("GET /api/products?query=canapé&category=salon&limit=10 as documented", async () => {
    const response = await meuble(
      "GET",
      `/api/products?query=${encodeURIComponent("canapé")}&category=salon&limit=10`,
      demo,
    );
    expect(response.status, response.text).toBe(200);
    const body = response.body as { products: Array<Record<string, unknown>>; total: number };
    expect(body).toMatchObject({ success: true, page: 1, limit: 10, total: expect.any(Number) });
    expect(body.products.length).toBeGreaterThan(0);
    for (const product of body.products) {
      expect(product).toEqual({
        sku: expect.any(String),
        name: expect.any(String),
        category: "salon",
        price: expect.any(Number),
        in_stock: expect.any(Boolean),
        images: expect.any(Array),
      });
    }
    expect(body.products).toContainEqual(
      expect.objectContaining({ sku: "CANAPÉ-OSLO-3P", name: "Canapé Oslo 3 places", price: 1299, in_stock: true }),
    );
    expect(body.total).toBe(body.products.length);
  });

  it("full-text: accents and case do not matter, words stem and match as prefixes", async () => {
    const skus = async (query: string) => {
      const response = await meuble("GET", `/api/products?query=${encodeURIComponent(query)}&limit=50`, demo);
      expect(response.status, response.text).toBe(200);
      return (response.body as { products: Array<{ sku: string }> }).products.map((product) => product.sku);
    };
    expect(await skus("CANAPE")).toContain("CANAPÉ-OSLO-3P");
    expect(await skus("canapés oslo")).toEqual(expect.arrayContaining(["CANAPÉ-OSLO-3P", "CANAPÉ-OSLO-2P"]));
    expect(await skus("matelas mémoire")).toEqual(["MATELAS-MEMOIRE-160"]);
    expect(await skus("chêne")).toEqual(expect.arrayContaining(["TABLE-BASSE-CHENE-LUNA", "BUFFET-SCANDI-3P"]));
    expect(await skus("armoi")).toEqual(["ARMOIRE-PORTES-COULISSANTES-200"]);
    expect(await skus("zzzz introuvable")).toEqual([]);
    expect(await skus("'&|!():*")).toEqual([]);
  });

  it("limit and page split the matches; total counts them all", async () => {
    const page = (number: number) => meuble("GET", `/api/products?category=salon&limit=2&page=${number}`, demo);
    const first = (await page(1)).body as { products: Array<{ sku: string }>; total: number };
    const second = (await page(2)).body as { products: Array<{ sku: string }>; total: number };
    expect(first.products).toHaveLength(2);
    expect(first.total).toBeGreaterThanOrEqual(4);
    expect(second.products.map((p) => p.sku)).not.toContain(first.products[0]?.sku);
    expectError(await meuble("GET", "/api/products?limit=0", demo), 400, "validation_error");
  });
});

describe("voice without an engine", () => {
  it("POST /api/voice/tts and /api/voice/transcribe answer 503 saying no engine is configured", async () => {
    const tts = await meuble("POST", "/api/voice/tts", demo, {
      body: { text: "Votre ticket a été créé avec succès", language: "fr", voice: "alloy" },
    });
    expectError(tts, 503, "service_unavailable");
    expect((tts.body as { detail: string }).detail).toMatch(/No speech synthesis engine/);
    const form = new FormData();
    form.append("audio_file", new Blob([new Uint8Array(1000)], { type: "audio/mpeg" }), "audio.mp3");
    form.append("language", "fr");
    const stt = await meuble("POST", "/api/voice/transcribe", demo, { rawBody: form });
    expectError(stt, 503, "service_unavailable");
    expect((stt.body as { detail: string }).detail).toMatch(/No transcription engine/);
  });
});

describe("monitoring", () => {
  it("GET /meuble/health answers the documented liveness shape", async () => {
    const response = await meuble("GET", `${BASE}/health`, null);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: "healthy",
      app: "Mobilier de France Chatbot",
      version: "1.0.0",
      uptime_seconds: expect.any(Number),
      memory_mb: null,
      memory_status: "unavailable",
      cpu_percent: null,
      threads: null,
    });
  });

  it("GET /ready checks the database for real", async () => {
    const response = await meuble("GET", "/ready", null);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({
      ready: true,
      critical_ready: true,
      checks: {
        database: { healthy: true, response_time_ms: expect.any(Number) },
        cache: { healthy: true, type: expect.any(String) },
        openai_api: { healthy: true, breakers: { openai: { state: "closed", success_rate: expect.any(Number) } } },
        memory: { healthy: true, status: expect.any(String) },
      },
    });
  });

  it("GET /query-stats counts the queries the surface ran", async () => {
    await meuble("GET", "/api/products?query=canape", demo);
    const response = await meuble("GET", `${BASE}/query-stats`, null);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      performance_status: expect.stringMatching(/^(good|warning|critical)$/),
      stats: {
        total_queries: expect.any(Number),
        slow_queries: expect.any(Number),
        slow_query_percentage: expect.any(Number),
        average_query_time_ms: expect.any(Number),
        threshold_ms: 1000,
      },
      timestamp: expect.stringMatching(ISO_SECONDS),
    });
  });

  it("GET /memory, /circuit-breakers and /env-status answer their shapes", async () => {
    const memory = await meuble("GET", "/memory", null);
    expect(memory.body).toMatchObject({ status: expect.any(String), alert_level: null, messages: expect.any(Array) });
    expect(memory.body).toHaveProperty("usage");

    const breakers = await meuble("GET", "/circuit-breakers", null);
    expect(breakers.status).toBe(200);
    const body = breakers.body as {
      breakers: Record<string, unknown>;
      summary: { closed: number; open: number; half_open: number };
    };
    expect(Object.keys(body.breakers).sort()).toEqual(["database", "llm", "speech", "storage"]);
    for (const breaker of Object.values(body.breakers)) {
      expect(breaker).toEqual({
        state: expect.stringMatching(/^(closed|open|half_open)$/),
        failure_count: expect.any(Number),
        success_rate: expect.any(Number),
        total_calls: expect.any(Number),
      });
    }
    expect(body.summary).toEqual({
      total: 4,
      closed: expect.any(Number),
      open: expect.any(Number),
      half_open: expect.any(Number),
    });
    expect(body.summary.closed + body.summary.open + body.summary.half_open).toBe(4);

    const env = await meuble("GET", "/env-status", null);
    expect(env.status).toBe(200);
    expect(env.body).toMatchObject({ valid: true, missing_required: [], features: { llm: "rules:v1", speech: null } });
    expect(env.text).not.toMatch(/postgres:\/\//);
  });
});

it("uploads accept video too (MP4 by its ftyp box)", async () => {
  const { mp4Bytes } = await import("./client.js");
  const fileId = await upload(demo, mp4Bytes(), "video/mp4");
  expect(fileId).toMatch(/^upload_/);
});
