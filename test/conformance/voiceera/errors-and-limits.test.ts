import { SignJWT } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createApiKey } from "../../support/accounts.js";
import { useDatabase } from "../../support/database.js";
import type { RestResponse } from "../../support/http.js";
import {
  type Caller,
  createAgent,
  createCampaign,
  expectError,
  freshIp,
  signUp,
  type VoiceEraUser,
  voiceEra,
} from "./client.js";

/**
 * The document's error envelope and codes (AUTH_001…CALL_001), what bad input gets (VALIDATION_001, 422),
 * and its rate limits: 100 requests a minute per caller, 10 for the auth endpoints, with X-RateLimit-* headers
 * and 429 (RATE_LIMIT_001) past them.
 */

const db = useDatabase();
let user: VoiceEraUser;
let agentId: string;

beforeAll(async () => {
  user = await signUp("errors");
  agentId = (await createAgent(user.caller)).id;
});

const anonymous = (): Caller => ({ ip: freshIp() });
const fresh = (): Caller => ({ token: user.token, ip: freshIp() });

describe("authentication errors", () => {
  it("every protected endpoint wants a token: AUTH_003 without one or with a bad one, AUTH_002 when expired", async () => {
    const protectedPaths: Array<[string, string]> = [
      ["GET", "/auth/me"],
      ["GET", "/agents"],
      ["POST", "/agents"],
      ["GET", `/agents/${agentId}`],
      ["PUT", `/agents/${agentId}`],
      ["DELETE", `/agents/${agentId}`],
      ["GET", "/campaigns"],
      ["POST", "/campaigns"],
      ["POST", `/campaigns/${crypto.randomUUID()}/launch`],
      ["POST", `/campaigns/${crypto.randomUUID()}/pause`],
      ["GET", "/call-logs"],
      ["GET", `/call-logs/${crypto.randomUUID()}`],
      ["GET", `/call-recordings/${crypto.randomUUID()}`],
      ["GET", `/call-recordings/${crypto.randomUUID()}/download`],
      ["GET", "/analytics/calls"],
      ["GET", "/analytics/sentiment"],
      ["GET", "/analytics/top-phrases"],
    ];
    const claims = JSON.parse(Buffer.from(user.token.split(".")[1] ?? "", "base64url").toString());
    const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(inject("jwtSecret")));
    const body = { name: "x" };
    for (const [method, path] of protectedPaths) {
      const options = method === "GET" || method === "DELETE" ? {} : { body };
      expectError(await voiceEra(method, path, anonymous(), options), 401, "AUTH_003");
      expectError(await voiceEra(method, path, { ip: freshIp(), token: "not.a.jwt" }, options), 401, "AUTH_003");
      expectError(await voiceEra(method, path, { ip: freshIp(), token: expired }, options), 401, "AUTH_002");
    }
  });

  it("a wrong password or an unknown e-mail is AUTH_001", async () => {
    const ip = freshIp();
    expectError(
      await voiceEra("POST", "/auth/login", { ip }, { body: { email: user.email, password: "WrongPass123!" } }),
      401,
      "AUTH_001",
    );
    expectError(
      await voiceEra(
        "POST",
        "/auth/login",
        { ip },
        { body: { email: "nobody@example.com", password: "SecurePass123!" } },
      ),
      401,
      "AUTH_001",
    );
  });

  it("a refresh with an access token, or with none, is AUTH_003", async () => {
    expectError(await voiceEra("POST", "/auth/refresh-token", { ip: freshIp(), token: user.token }), 401, "AUTH_003");
    expectError(await voiceEra("POST", "/auth/refresh-token", anonymous()), 401, "AUTH_003");
  });

  it("an API key without the needed scope is AUTH_004", async () => {
    const key = await createApiKey({ authorization: `Bearer ${user.token}` }, { scopes: ["AGENTS_READ"] });
    const caller = { ip: freshIp(), headers: { "x-api-key": key.secret } };
    const list = await voiceEra("GET", "/agents", caller);
    expect(list.status, list.text).toBe(200);
    expectError(
      await voiceEra("POST", "/agents", caller, { body: { name: "Nope", llm_model: "gpt-4" } }),
      403,
      "AUTH_004",
    );
    expectError(await voiceEra("GET", "/call-logs", caller), 403, "AUTH_004");
  });
});

describe("resource errors", () => {
  it("AGENT_001 unknown agent, AGENT_002 agent already exists, AGENT_003 agent in use", async () => {
    for (const id of [crypto.randomUUID(), "agent-uuid"]) {
      expectError(await voiceEra("GET", `/agents/${id}`, fresh()), 404, "AGENT_001");
      expectError(await voiceEra("PUT", `/agents/${id}`, fresh(), { body: { name: "X" } }), 404, "AGENT_001");
      expectError(await voiceEra("DELETE", `/agents/${id}`, fresh()), 404, "AGENT_001");
    }
    const agent = await createAgent(fresh(), "Unique Agent");
    expectError(
      await voiceEra("POST", "/agents", fresh(), { body: { name: "Unique Agent", llm_model: "gpt-4" } }),
      409,
      "AGENT_002",
    );
    await createCampaign(fresh(), agent.id);
    expectError(await voiceEra("DELETE", `/agents/${agent.id}`, fresh()), 409, "AGENT_003");
  });

  it("CAMPAIGN_001 unknown campaign, CAMPAIGN_002 cannot launch; a campaign for an unknown agent is AGENT_001", async () => {
    for (const id of [crypto.randomUUID(), "campaign-uuid"]) {
      expectError(await voiceEra("POST", `/campaigns/${id}/launch`, fresh()), 404, "CAMPAIGN_001");
      expectError(await voiceEra("POST", `/campaigns/${id}/pause`, fresh()), 404, "CAMPAIGN_001");
    }
    const { id } = await createCampaign(fresh(), agentId);
    await db().query("update campaigns set status = 'completed' where id = $1", [id]);
    expectError(await voiceEra("POST", `/campaigns/${id}/launch`, fresh()), 409, "CAMPAIGN_002");
    expectError(
      await voiceEra("POST", "/campaigns", fresh(), {
        body: { name: "Q2", agent_id: crypto.randomUUID(), phone_numbers: ["+1234567890"] },
      }),
      404,
      "AGENT_001",
    );
  });

  it("CALL_001 for an unknown call log", async () => {
    expectError(await voiceEra("GET", `/call-logs/${crypto.randomUUID()}`, fresh()), 404, "CALL_001");
    expectError(await voiceEra("GET", "/call-logs/call-uuid", fresh()), 404, "CALL_001");
  });

  it("AUTH_005 when the e-mail is already registered", async () => {
    const response = await voiceEra("POST", "/auth/register", anonymous(), {
      body: { email: user.email, password: "SecurePass123!", first_name: "John", last_name: "Doe" },
    });
    expectError(response, 409, "AUTH_005");
  });
});

describe("bad input is VALIDATION_001 (422), naming the field", () => {
  const cases: Array<[string, string, unknown, string]> = [
    ["POST", "/agents", {}, "body.name"],
    ["POST", "/agents", { name: "No model" }, "llm_model"],
    ["POST", "/agents", { name: "X", llm_model: "gpt-4", status: "sleeping" }, "body.status"],
    ["POST", "/campaigns", { name: "Q2", phone_numbers: ["+1234567890"] }, "body.agent_id"],
    ["POST", "/campaigns", { name: "Q2", agent_id: "AGENT", phone_numbers: [] }, "body.phone_numbers"],
    ["POST", "/campaigns", { name: "Q2", agent_id: "AGENT", phone_numbers: ["12345"] }, "phone_numbers"],
    [
      "POST",
      "/campaigns",
      { name: "Q2", agent_id: "AGENT", phone_numbers: ["+1234567890"], max_concurrent_calls: 500 },
      "max_concurrent_calls",
    ],
    [
      "POST",
      "/campaigns",
      { name: "Q2", agent_id: "AGENT", phone_numbers: ["+1234567890"], start_time: "tomorrow" },
      "body.start_time",
    ],
    [
      "POST",
      "/campaigns",
      {
        name: "Q2",
        agent_id: "AGENT",
        phone_numbers: ["+1234567890"],
        start_time: "2024-06-30T00:00:00Z",
        end_time: "2024-04-01T00:00:00Z",
      },
      "window_ends_at",
    ],
    ["GET", "/agents?limit=0", undefined, "query.limit"],
    ["GET", "/agents?skip=-1", undefined, "query.skip"],
    ["GET", "/campaigns?status=running", undefined, "query.status"],
    ["GET", "/call-logs?status=ringing", undefined, "query.status"],
    ["GET", "/call-logs?start_date=2024-13-45", undefined, "query.start_date"],
    ["GET", "/call-logs?limit=abc", undefined, "query.limit"],
    ["GET", "/analytics/calls?days=0", undefined, "query.days"],
    ["GET", "/analytics/sentiment?start_date=2024-02-01&end_date=2024-01-01", undefined, "end_date"],
    ["GET", "/analytics/top-phrases?limit=1000", undefined, "query.limit"],
  ];

  it.each(cases)("%s %s %j", async (method, path, body, field) => {
    const resolved = JSON.parse(JSON.stringify(body ?? null)?.replace("AGENT", agentId) ?? "null");
    const response = await voiceEra(method, path, fresh(), body === undefined ? {} : { body: resolved });
    expectError(response, 422, "VALIDATION_001");
    expect((response.body as { error: { details: string } }).error.details).toContain(field);
  });

  it("a malformed JSON body", async () => {
    expectError(await voiceEra("POST", "/agents", fresh(), { rawBody: "{not json" }), 422, "VALIDATION_001");
    expectError(await voiceEra("POST", "/auth/login", anonymous(), { rawBody: "{" }), 422, "VALIDATION_001");
  });

  it("a register with a short password or a bad e-mail", async () => {
    const short = await voiceEra("POST", "/auth/register", anonymous(), {
      body: { email: `x-${crypto.randomUUID()}@example.com`, password: "short" },
    });
    expectError(short, 422, "VALIDATION_001");
    const email = await voiceEra("POST", "/auth/register", anonymous(), {
      body: { email: "not-an-email", password: "SecurePass123!" },
    });
    expectError(email, 422, "VALIDATION_001");
  });
});

type Headers3 = { limit: string | null; remaining: string | null; reset: string | null };
const rateHeaders = (response: RestResponse): Headers3 => ({
  limit: response.headers.get("x-ratelimit-limit"),
  remaining: response.headers.get("x-ratelimit-remaining"),
  reset: response.headers.get("x-ratelimit-reset"),
});

/**
 * Sends `limit + 1` requests in one window of the fixed-window limiter and returns them in order of the
 * remaining count. A burst that straddles two windows (their Reset differs) is sent again once.
 */
async function burst(limit: number, send: () => Promise<RestResponse>): Promise<RestResponse[]> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const responses: RestResponse[] = [];
    for (let sent = 0; sent < limit + 1; sent += 10) {
      const batch = Math.min(10, limit + 1 - sent);
      responses.push(...(await Promise.all(Array.from({ length: batch }, send))));
    }
    const resets = new Set(responses.map((response) => rateHeaders(response).reset));
    if (resets.size === 1) return responses;
  }
  throw new Error("every burst straddled two rate-limit windows");
}

describe("rate limits", () => {
  it("general endpoints: 100 a minute per caller, then 429 RATE_LIMIT_001 with the headers; other callers unaffected", async () => {
    const limited = await signUp("rate-limited");
    const responses = await burst(100, () => voiceEra("GET", "/agents", limited.caller));
    const ok = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status === 429);
    expect(ok).toHaveLength(100);
    expect(refused).toHaveLength(1);
    const remaining = ok.map((response) => Number(rateHeaders(response).remaining)).sort((a, b) => b - a);
    expect(remaining).toEqual(Array.from({ length: 100 }, (_, index) => 99 - index));
    for (const response of responses) expect(rateHeaders(response).limit).toBe("100");

    const [tooMany] = refused as [RestResponse];
    expectError(tooMany, 429, "RATE_LIMIT_001");
    const reset = Number(rateHeaders(tooMany).reset);
    expect(rateHeaders(tooMany).remaining).toBe("0");
    expect(reset).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60);
    expect(Number(tooMany.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

    // The limit is the caller's, whatever address it comes from: another address does not reset it…
    expectError(await voiceEra("GET", "/agents", { token: limited.token, ip: freshIp() }), 429, "RATE_LIMIT_001");
    // …and another caller keeps its own allowance.
    const other = await voiceEra("GET", "/agents", fresh());
    expect(other.status, other.text).toBe(200);
  });

  it("auth endpoints: 10 a minute per address", async () => {
    const ip = freshIp();
    const responses = await burst(10, () =>
      voiceEra("POST", "/auth/login", { ip }, { body: { email: "nobody@example.com", password: "WrongPass123!" } }),
    );
    expect(responses.filter((response) => response.status === 401)).toHaveLength(10);
    const refused = responses.filter((response) => response.status === 429);
    expect(refused).toHaveLength(1);
    expectError(refused[0] as RestResponse, 429, "RATE_LIMIT_001");
    expect(rateHeaders(refused[0] as RestResponse)).toMatchObject({ limit: "10", remaining: "0" });
    // Another address may still log in.
    const login = await voiceEra("POST", "/auth/login", anonymous(), {
      body: { email: user.email, password: user.password },
    });
    expect(login.status, login.text).toBe(200);
  });
});
