import { beforeAll, describe, expect, it } from "vitest";
import type { RestResponse } from "../../support/http.js";
import {
  BASE,
  demoUser,
  expectError,
  freshIp,
  jpegBytes,
  type MeubleUser,
  meuble,
  newTenant,
  upload,
  uploadForm,
} from "./client.js";

/**
 * The document's limits (413 over 5 MB, over 10 MB for uploads; rate limits with X-RateLimit-* and Retry-After),
 * what wrong input gets (wrong file types, someone else's attachments), and tenant isolation of every route.
 */

const MB = 1024 * 1024;
let a: MeubleUser;
let b: MeubleUser;

beforeAll(async () => {
  [a, b] = await Promise.all([newTenant("meuble-a"), newTenant("meuble-b")]);
});

function rateHeaders(response: RestResponse) {
  return {
    limit: response.headers.get("x-ratelimit-limit"),
    remaining: response.headers.get("x-ratelimit-remaining"),
    reset: response.headers.get("x-ratelimit-reset"),
  };
}

describe("size limits", () => {
  it("a JSON body over 5 MB is 413 payload_too_large, at the root and under /meuble", async () => {
    const big = JSON.stringify({
      problem_category: "tissu",
      problem_severity: "faible",
      description: "x".repeat(5 * MB),
    });
    for (const base of ["", BASE]) {
      const response = await meuble("POST", "/api/tickets", a.caller, {
        base,
        rawBody: big,
        headers: { "content-type": "application/json" },
      });
      expectError(response, 413, "payload_too_large");
      expect((response.body as { detail: string }).detail).toBe("Request body exceeds maximum size of 5.0MB");
    }
  });

  it("uploads take up to 10 MB (more than the 5 MB elsewhere) and refuse more with 413", async () => {
    const fileId = await upload(a.caller, jpegBytes(7 * MB));
    expect(fileId).toMatch(/^upload_/);
    const tooBig = await meuble("POST", "/api/upload", a.caller, {
      rawBody: uploadForm(jpegBytes(10 * MB + 1024), "image/jpeg", "big.jpg"),
    });
    expectError(tooBig, 413, "payload_too_large");
    expect((tooBig.body as { detail: string }).detail).toMatch(/10\.0MB/);
  });
});

describe("upload types", () => {
  it("refuses what is not an image or a video, whatever its name and declared type say (415)", async () => {
    const text = new TextEncoder().encode("#!/bin/sh\necho not a photo\n");
    const disguised = await meuble("POST", "/api/upload", a.caller, {
      rawBody: uploadForm(new Uint8Array(text), "image/jpeg", "photo.jpg"),
    });
    expectError(disguised, 415, "unsupported_media_type");
  });

  it("refuses a declared type that contradicts the bytes (a JPEG sent as video/mp4)", async () => {
    const lying = await meuble("POST", "/api/upload", a.caller, {
      rawBody: uploadForm(jpegBytes(), "video/mp4", "clip.mp4"),
    });
    expectError(lying, 415, "unsupported_media_type");
  });

  it("a request without a file is 400 naming the field", async () => {
    const form = new FormData();
    form.append("description", "no file");
    const response = await meuble("POST", "/api/upload", a.caller, { rawBody: form });
    expectError(response, 400, "validation_error");
    expect((response.body as { detail: string }).detail).toMatch(/file/);
  });
});

describe("attachments", () => {
  it("a ticket may only attach the caller's own uploads: another organisation's is refused (400)", async () => {
    const theirs = await upload(b.caller);
    const response = await meuble("POST", "/api/tickets", a.caller, {
      body: {
        problem_category: "tissu",
        problem_severity: "faible",
        description: "Tache",
        attachments: [theirs],
      },
    });
    expectError(response, 400, "validation_error");
    expect((response.body as { detail: string }).detail).toContain(theirs);
    const unknown = await meuble("POST", "/api/tickets", a.caller, {
      body: {
        problem_category: "tissu",
        problem_severity: "faible",
        description: "Tache",
        attachments: ["upload_nope"],
      },
    });
    expectError(unknown, 400, "validation_error");
  });

  it("bad ticket input is 400 in the envelope, never a 500", async () => {
    const cases: unknown[] = [
      {},
      { problem_category: "tissu", problem_severity: "apocalyptique", description: "x" },
      { problem_category: 3, problem_severity: "moyen", description: "x" },
      [],
    ];
    for (const body of cases)
      expectError(await meuble("POST", "/api/tickets", a.caller, { body }), 400, "validation_error");
    const malformed = await meuble("POST", "/api/tickets", a.caller, {
      rawBody: "{not json",
      headers: { "content-type": "application/json" },
    });
    expectError(malformed, 400, "invalid_request");
  });
});

describe("rate limits", () => {
  it("login: 5 a minute per address, then 429 rate_limit_exceeded with X-RateLimit-* and Retry-After", async () => {
    const ip = freshIp();
    const attempt = () =>
      meuble("POST", "/api/auth/login", null, {
        headers: { "cf-connecting-ip": ip },
        body: { email: "nobody@example.com", password: "password123" },
      });
    const responses: RestResponse[] = [];
    for (let index = 0; index < 6; index++) responses.push(await attempt());
    expect(responses.slice(0, 5).map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
    expect(responses.slice(0, 5).map((response) => rateHeaders(response).remaining)).toEqual(["4", "3", "2", "1", "0"]);
    const refused = responses[5] as RestResponse;
    expectError(refused, 429, "rate_limit_exceeded");
    expect(refused.body).toMatchObject({
      detail: "Too many requests. Please try again later.",
      retry_after: expect.any(Number),
    });
    expect(rateHeaders(refused)).toMatchObject({ limit: "5", remaining: "0" });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((refused.body as { retry_after: number }).retry_after).toBe(retryAfter);
    expect(Number(rateHeaders(refused).reset)).toBeGreaterThan(Date.now() / 1000 - 1);
    // Another address may still log in.
    const other = await meuble("POST", "/api/auth/login", null, { body: { email: a.email, password: a.password } });
    expect(other.status, other.text).toBe(200);
  });

  it("upload: 10 a minute per user; other endpoints keep their own 100", async () => {
    const user = await newTenant("meuble-upload-limit");
    const statuses: number[] = [];
    let last: RestResponse | undefined;
    for (let index = 0; index < 11; index++) {
      last = await meuble("POST", "/api/upload", user.caller, {
        rawBody: uploadForm(jpegBytes(256), "image/jpeg", "p.jpg"),
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    expectError(last as RestResponse, 429, "rate_limit_exceeded");
    expect(rateHeaders(last as RestResponse).limit).toBe("10");
    const products = await meuble("GET", "/api/products", user.caller);
    expect(products.status).toBe(200);
    expect(rateHeaders(products)).toMatchObject({ limit: "100", remaining: "99" });
  });
});

describe("tenant isolation", () => {
  it("B cannot read A's ticket or upload, nor see the demo catalogue", async () => {
    const fileId = await upload(a.caller);
    const created = await meuble("POST", "/api/tickets", a.caller, {
      body: { problem_category: "odeur", problem_severity: "faible", description: "Odeur", attachments: [fileId] },
    });
    expect(created.status, created.text).toBe(201);
    const ticketId = (created.body as { ticket: { ticket_id: string } }).ticket.ticket_id;

    expect((await meuble("GET", `/api/tickets/${ticketId}`, a.caller)).status).toBe(200);
    expectError(await meuble("GET", `/api/tickets/${ticketId}`, b.caller), 404, "not_found");
    expect((await meuble("GET", `/api/uploads/${fileId}`, a.caller)).status).toBe(200);
    expectError(await meuble("GET", `/api/uploads/${fileId}`, b.caller), 404, "not_found");
    expectError(await meuble("GET", `/api/uploads/${fileId}`, null), 401, "not_authenticated");

    const demo = await demoUser();
    const demoSearch = await meuble("GET", "/api/products?query=canape", demo.caller);
    expect((demoSearch.body as { total: number }).total).toBeGreaterThan(0);
    const theirSearch = await meuble("GET", "/api/products?query=canape", b.caller);
    expect(theirSearch.body).toMatchObject({ success: true, products: [], total: 0 });
  });

  it("every data route needs a credential (401 in the envelope)", async () => {
    for (const [method, path] of [
      ["GET", "/api/products"],
      ["POST", "/api/tickets"],
      ["GET", "/api/tickets/TKT-2025-000001"],
      ["POST", "/api/upload"],
      ["POST", "/api/voice/tts"],
      ["POST", "/api/voice/transcribe"],
    ] as const) {
      expectError(await meuble(method, path, null), 401, "not_authenticated");
    }
    expectError(
      await meuble("GET", "/api/products", { headers: { authorization: "Bearer not-a-token" } }),
      401,
      "invalid_token",
    );
  });
});
