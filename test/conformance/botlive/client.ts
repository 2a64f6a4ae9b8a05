import type pg from "pg";
import { expect, inject } from "vitest";
import { bearer, createApiKey, registerUser } from "../../support/accounts.js";
import { firstRow } from "../../support/database.js";
import { type RestResponse, rest } from "../../support/http.js";

/**
 * Botlive as N8N calls it (shared/api-docs/botlive.md, encoded here: nothing reads the document). Each tenant is
 * a new organisation with a Botlive company_id (organisations.external_id) and an API key sent as X-API-Key.
 */

export type Tenant = { orgId: string; companyId: string; apiKey: string; headers: Record<string, string> };

function freshIp(): string {
  const byte = () => Math.floor(Math.random() * 254) + 1;
  return `10.${byte()}.${byte()}.${byte()}`;
}

/** A 28-character id like the document's "4OS4yFcf2LZwxhKojbAVbKuVuSdb". */
export function legacyCompanyId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length: 28 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
}

export async function createTenant(db: pg.Client, label = "botlive"): Promise<Tenant> {
  const user = await registerUser(label);
  const { org_id: orgId } = await firstRow<{ org_id: string }>(db, "select org_id from users where email = $1", [
    user.email,
  ]);
  const companyId = legacyCompanyId();
  await db.query("update organisations set external_id = $1 where id = $2", [companyId, orgId]);
  const key = await createApiKey(bearer(user.accessToken));
  return { orgId, companyId, apiKey: key.secret, headers: { "x-api-key": key.secret, "cf-connecting-ip": freshIp() } };
}

export function botlive(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<RestResponse> {
  return rest(method, `/botlive${path}`, { headers, ...(body === undefined ? {} : { body }) });
}

/** A fresh WhatsApp number in the document's "+225XXXXXXXXX" form. */
export function customerNumber(): string {
  return `+22507${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
}

export type OrderStatus = {
  produit: string;
  paiement: string;
  zone: string;
  numero: string;
  completion_rate: number;
  is_complete: boolean;
};

export type MessageBody = {
  success: boolean;
  response: string;
  order_status: OrderStatus;
  next_step: string;
  duration_ms: number;
  request_id: string;
  intent: string;
  confidence: number;
  language: string;
  mode: string;
};

export const ORDER_STATUS_SHAPE = {
  produit: expect.any(String),
  paiement: expect.any(String),
  zone: expect.any(String),
  numero: expect.any(String),
  completion_rate: expect.any(Number),
  is_complete: expect.any(Boolean),
};

export const ISO_SECONDS = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

/** Sends one customer message and checks the documented response shape. */
export async function say(tenant: Tenant, userId: string, message: string, extra: Record<string, unknown> = {}) {
  const response = await botlive("POST", "/message", tenant.headers, {
    company_id: tenant.companyId,
    user_id: userId,
    message,
    ...extra,
  });
  expect(response.status, response.text).toBe(200);
  const body = response.body as MessageBody;
  expect(body).toMatchObject({
    success: true,
    response: expect.any(String),
    order_status: ORDER_STATUS_SHAPE,
    next_step: expect.stringMatching(/^(produit|paiement|zone|numero|completed)$/),
    duration_ms: expect.any(Number),
    request_id: expect.any(String),
  });
  return body;
}

export type SseEvent = Record<string, unknown> & { event: string };

/** POSTs to /message/stream and parses every `data:` line as JSON (a non-JSON line fails the test). */
export async function streamMessage(tenant: Tenant, body: Record<string, unknown>) {
  const started = performance.now();
  const response = await fetch(`${inject("edgeUrl")}/botlive/message/stream`, {
    method: "POST",
    headers: { "content-type": "application/json", ...tenant.headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const events = text
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => JSON.parse(line.slice(5).trim()) as SseEvent);
  return { response, text, events, ms: performance.now() - started };
}
