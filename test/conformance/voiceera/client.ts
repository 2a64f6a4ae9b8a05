import type pg from "pg";
import { expect } from "vitest";
import { uniqueEmail } from "../../support/accounts.js";
import { type RestResponse, rest } from "../../support/http.js";

/**
 * The VoiceERA surface as its clients call it (shared/api-docs/voiceera.md, encoded here: nothing reads the
 * document). Each caller gets an address of its own (CF-Connecting-IP) so the per-address auth limit of one
 * test never meets another's.
 */

export type Caller = { token?: string; ip: string; headers?: Record<string, string> };

export function freshIp(): string {
  const byte = () => Math.floor(Math.random() * 254) + 1;
  return `10.${byte()}.${byte()}.${byte()}`;
}

export function voiceEra(
  method: string,
  path: string,
  caller: Caller,
  options: { body?: unknown; rawBody?: string; base?: string } = {},
): Promise<RestResponse> {
  const headers: Record<string, string> = { "cf-connecting-ip": caller.ip, ...caller.headers };
  if (caller.token) headers.authorization = `Bearer ${caller.token}`;
  if (options.rawBody !== undefined) headers["content-type"] = "application/json";
  return rest(method, `${options.base ?? ""}${path}`, {
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.rawBody === undefined ? {} : { rawBody: options.rawBody }),
  });
}

export type VoiceEraUser = {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  ip: string;
  caller: Caller;
};

/** Registers and logs in a new user (an organisation of their own), as the document's first two examples do. */
export async function signUp(label = "voiceera"): Promise<VoiceEraUser> {
  const ip = freshIp();
  const email = uniqueEmail(label);
  const password = "SecurePass123!";
  const registered = await voiceEra(
    "POST",
    "/auth/register",
    { ip },
    {
      body: { email, password, first_name: "John", last_name: "Doe" },
    },
  );
  expect(registered.status, registered.text).toBe(201);
  const login = await voiceEra("POST", "/auth/login", { ip }, { body: { email, password } });
  expect(login.status, login.text).toBe(200);
  const body = login.body as { token: string; refresh_token: string; user: { id: string } };
  return {
    id: body.user.id,
    email,
    password,
    token: body.token,
    refreshToken: body.refresh_token,
    ip,
    // Another address for the resource calls, so they are counted apart from the sign-up.
    caller: { token: body.token, ip: freshIp() },
  };
}

export async function createAgent(caller: Caller, name = `Support Agent ${crypto.randomUUID().slice(0, 8)}`) {
  const response = await voiceEra("POST", "/agents", caller, {
    body: { name, llm_provider: "openai", llm_model: "gpt-4", language: "en" },
  });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; name: string };
}

export async function createCampaign(caller: Caller, agentId: string, phoneNumbers = ["+1234567890", "+1234567891"]) {
  const response = await voiceEra("POST", "/campaigns", caller, {
    body: { name: "Q2 Marketing Campaign", agent_id: agentId, phone_numbers: phoneNumbers },
  });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string };
}

export type CallFixture = {
  status?: string;
  durationMs?: number | null;
  sentiment?: "positive" | "neutral" | "negative" | null;
  emotions?: string[];
  keyPhrases?: string[];
  summary?: string | null;
  cost?: number | null;
  createdAt?: string;
  turns?: Array<["agent" | "contact", string]>;
};

/** Gives a campaign's call to `phone` the outcome a finished call would have (the test plays the media node). */
export async function settleCall(
  db: pg.Client,
  campaignId: string,
  phone: string,
  fixture: CallFixture,
): Promise<string> {
  const { rows } = await db.query<{ id: string; org_id: string }>(
    `update calls set status = $3::call_status, duration_ms = $4, sentiment = $5, emotions = $6, key_phrases = $7, summary = $8,
       cost = $9, created_at = coalesce($10::timestamptz, created_at),
       ended_at = case when $3::text in ('completed', 'failed', 'no_answer', 'busy') then now() else null end
     where campaign_id = $1 and to_number = $2 returning id, org_id`,
    [
      campaignId,
      phone,
      fixture.status ?? "completed",
      fixture.durationMs ?? null,
      fixture.sentiment ?? null,
      fixture.emotions ?? [],
      fixture.keyPhrases ?? [],
      fixture.summary ?? null,
      fixture.cost ?? null,
      fixture.createdAt ?? null,
    ],
  );
  const call = rows[0];
  if (!call) throw new Error(`no call to ${phone} in campaign ${campaignId}`);
  for (const [index, [speaker, text]] of (fixture.turns ?? []).entries()) {
    await db.query("insert into call_turns (org_id, call_id, sequence, speaker, text) values ($1, $2, $3, $4, $5)", [
      call.org_id,
      call.id,
      index + 1,
      speaker,
      text,
    ]);
  }
  return call.id;
}

/** The documented envelope of an error, compared on code and shape (message and details are informative). */
export function expectError(response: RestResponse, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body).toEqual({
    success: false,
    data: null,
    error: { code, message: expect.any(String), details: expect.toSatisfy((d) => d === null || typeof d === "string") },
    timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
  });
}

export const TIMESTAMP = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
export const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);
