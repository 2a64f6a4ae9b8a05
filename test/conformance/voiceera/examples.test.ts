import { beforeAll, describe, expect, it } from "vitest";
import { useDatabase } from "../../support/database.js";
import {
  createAgent,
  createCampaign,
  expectError,
  freshIp,
  settleCall,
  signUp,
  TIMESTAMP,
  UUID,
  type VoiceEraUser,
  voiceEra,
} from "./client.js";

/**
 * Every example request of shared/api-docs/voiceera.md, replayed with its documented body, and each answer
 * checked against the documented shape: the same keys, values of the documented kinds (ids and times are
 * the product's own).
 */

const db = useDatabase();

describe("authentication endpoints", () => {
  it("POST /auth/register answers 201 with the new user", async () => {
    const email = `user-${crypto.randomUUID()}@example.com`;
    const response = await voiceEra(
      "POST",
      "/auth/register",
      { ip: freshIp() },
      {
        body: { email, password: "SecurePass123!", first_name: "John", last_name: "Doe" },
      },
    );
    expect(response.status, response.text).toBe(201);
    expect(response.body).toEqual({ id: UUID, email, first_name: "John", last_name: "Doe", created_at: TIMESTAMP });
  });

  it("POST /auth/login answers the tokens and the user; GET /auth/me and POST /auth/refresh-token follow", async () => {
    const ip = freshIp();
    const email = `user-${crypto.randomUUID()}@example.com`;
    await voiceEra(
      "POST",
      "/auth/register",
      { ip },
      {
        body: { email, password: "SecurePass123!", first_name: "John", last_name: "Doe" },
      },
    );
    const login = await voiceEra("POST", "/auth/login", { ip }, { body: { email, password: "SecurePass123!" } });
    expect(login.status, login.text).toBe(200);
    expect(login.body).toEqual({
      token: expect.stringMatching(/^eyJ/),
      refresh_token: expect.stringMatching(/^eyJ/),
      expires_in: 1800,
      user: { id: UUID, email, role: "user" },
    });
    const { token, refresh_token: refreshToken } = login.body as { token: string; refresh_token: string };

    const me = await voiceEra("GET", "/auth/me", { ip, token });
    expect(me.status, me.text).toBe(200);
    expect(me.body).toEqual({
      id: UUID,
      email,
      first_name: "John",
      last_name: "Doe",
      role: "user",
      created_at: TIMESTAMP,
    });

    // The refresh token is sent as the bearer; the document returns no new one, so it keeps working.
    for (let round = 0; round < 2; round++) {
      const refreshed = await voiceEra("POST", "/auth/refresh-token", { ip, token: refreshToken });
      expect(refreshed.status, refreshed.text).toBe(200);
      expect(refreshed.body).toEqual({ token: expect.stringMatching(/^eyJ/), expires_in: 1800 });
      const again = await voiceEra("GET", "/auth/me", { ip, token: (refreshed.body as { token: string }).token });
      expect((again.body as { email: string }).email).toBe(email);
    }
  });
});

describe("agent endpoints", () => {
  let user: VoiceEraUser;
  beforeAll(async () => {
    user = await signUp("agents");
  });

  it("POST /agents creates the documented agent; GET, PUT and DELETE /agents/{id} follow", async () => {
    const created = await voiceEra("POST", "/agents", user.caller, {
      body: {
        name: "Support Agent",
        description: "Handles customer support",
        llm_provider: "openai",
        llm_model: "gpt-4",
        stt_provider: "deepgram",
        tts_provider: "cartesia",
        system_prompt: "You are a helpful support agent. Help customers with their issues.",
        language: "en",
        voice_parameters: { voice_id: "english_male", speed: 1.0, tone: "professional" },
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({ id: UUID, name: "Support Agent", status: "active", created_at: TIMESTAMP });
    const id = (created.body as { id: string }).id;

    const fetched = await voiceEra("GET", `/agents/${id}`, user.caller);
    expect(fetched.status, fetched.text).toBe(200);
    expect(fetched.body).toEqual({
      id,
      user_id: user.id,
      name: "Support Agent",
      description: "Handles customer support",
      llm_provider: "openai",
      llm_model: "gpt-4",
      stt_provider: "deepgram",
      tts_provider: "cartesia",
      system_prompt: "You are a helpful support agent. Help customers with their issues.",
      language: "en",
      voice_parameters: { voice_id: "english_male", speed: 1, tone: "professional" },
      status: "active",
      created_at: TIMESTAMP,
    });

    const updated = await voiceEra("PUT", `/agents/${id}`, user.caller, {
      body: { name: "Updated Name", system_prompt: "New system prompt here" },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).toEqual({ id, name: "Updated Name", updated_at: TIMESTAMP });
    const afterUpdate = await voiceEra("GET", `/agents/${id}`, user.caller);
    expect(afterUpdate.body).toMatchObject({
      name: "Updated Name",
      system_prompt: "New system prompt here",
      llm_model: "gpt-4",
    });

    const deleted = await voiceEra("DELETE", `/agents/${id}`, user.caller);
    expect(deleted.status, deleted.text).toBe(204);
    expect(deleted.text).toBe("");
    expectError(await voiceEra("GET", `/agents/${id}`, user.caller), 404, "AGENT_001");
  });

  it("GET /agents pages with skip/limit and filters by search and status", async () => {
    const names = ["Sales Agent", "Sales Follow-up", "Billing Helper"];
    for (const name of names) await createAgent(user.caller, name);
    const other = await createAgent(user.caller, "Dormant Sales Bot");
    await voiceEra("PUT", `/agents/${other.id}`, user.caller, { body: { status: "inactive" } });

    const page = await voiceEra("GET", "/agents?skip=0&limit=10", user.caller);
    expect(page.status, page.text).toBe(200);
    const body = page.body as { total: number; skip: number; limit: number; items: Array<Record<string, unknown>> };
    expect(body).toMatchObject({ skip: 0, limit: 10 });
    expect(body.total).toBe(body.items.length);
    expect(body.items[0]).toEqual({
      id: UUID,
      name: expect.any(String),
      description: null,
      llm_provider: "openai",
      llm_model: "gpt-4",
      status: expect.stringMatching(/^(active|inactive)$/),
      created_at: TIMESTAMP,
    });

    const secondPage = await voiceEra("GET", "/agents?skip=1&limit=2", user.caller);
    const second = secondPage.body as { total: number; items: Array<{ name: string }> };
    expect(second.items.map((agent) => agent.name)).toEqual(body.items.slice(1, 3).map((agent) => agent.name));

    const sales = await voiceEra("GET", "/agents?search=sales", user.caller);
    const salesNames = (sales.body as { items: Array<{ name: string }> }).items.map((agent) => agent.name).sort();
    expect(salesNames).toEqual(["Dormant Sales Bot", "Sales Agent", "Sales Follow-up"]);

    const active = await voiceEra("GET", "/agents?search=sales&status=active", user.caller);
    expect((active.body as { total: number }).total).toBe(2);
  });
});

describe("campaign endpoints", () => {
  let user: VoiceEraUser;
  let agentId: string;
  beforeAll(async () => {
    user = await signUp("campaigns");
    agentId = (await createAgent(user.caller)).id;
  });

  it("POST /campaigns creates a draft; launch makes it active, pause pauses it; GET /campaigns lists it", async () => {
    const created = await voiceEra("POST", "/campaigns", user.caller, {
      body: {
        name: "Q2 Marketing Campaign",
        agent_id: agentId,
        phone_numbers: ["+1234567890", "+1234567891"],
        start_time: "2024-04-01T00:00:00Z",
        end_time: "2024-06-30T23:59:59Z",
        max_concurrent_calls: 50,
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({ id: UUID, status: "draft", created_at: TIMESTAMP });
    const id = (created.body as { id: string }).id;

    const listed = await voiceEra("GET", `/campaigns?agent_id=${agentId}`, user.caller);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body).toEqual({
      total: 1,
      items: [
        {
          id,
          name: "Q2 Marketing Campaign",
          agent_id: agentId,
          status: "draft",
          phone_numbers: ["+1234567890", "+1234567891"],
          start_time: "2024-04-01T00:00:00Z",
          end_time: "2024-06-30T23:59:59Z",
          created_at: TIMESTAMP,
        },
      ],
    });
    // The draft holds one call per number, waiting (its calling window is over, so nothing is dialled).
    const { rows } = await db().query("select to_number, status from calls where campaign_id = $1 order by to_number", [
      id,
    ]);
    expect(rows).toEqual([
      { to_number: "+1234567890", status: "pending" },
      { to_number: "+1234567891", status: "pending" },
    ]);

    const launched = await voiceEra("POST", `/campaigns/${id}/launch`, user.caller);
    expect(launched.status, launched.text).toBe(200);
    expect(launched.body).toEqual({ id, status: "active", launched_at: TIMESTAMP });
    const active = await voiceEra("GET", "/campaigns?status=active&skip=0&limit=20", user.caller);
    expect((active.body as { items: Array<{ id: string }> }).items.map((item) => item.id)).toEqual([id]);

    const paused = await voiceEra("POST", `/campaigns/${id}/pause`, user.caller);
    expect(paused.status, paused.text).toBe(200);
    expect(paused.body).toEqual({ id, status: "paused", paused_at: TIMESTAMP });

    expectError(await voiceEra("POST", `/campaigns/${id}/pause`, user.caller), 409, "CAMPAIGN_003");
    await voiceEra("POST", `/campaigns/${id}/launch`, user.caller);
    expectError(await voiceEra("POST", `/campaigns/${id}/launch`, user.caller), 409, "CAMPAIGN_002");
  });

  it("a VoiceERA campaign is the same campaign MiniBotPanel and GraphQL see", async () => {
    const { id } = await createCampaign(user.caller, agentId, ["+33612345678"]);
    const { rows } = await db().query("select source, status, agent_id from campaigns where id = $1", [id]);
    expect(rows).toEqual([{ source: "voiceera", status: "pending", agent_id: agentId }]);
  });
});

describe("call log, recording and analytics endpoints", () => {
  let user: VoiceEraUser;
  let campaignId: string;
  let completedId: string;
  beforeAll(async () => {
    user = await signUp("calls");
    const agent = await createAgent(user.caller);
    campaignId = (await createCampaign(user.caller, agent.id, ["+1234567890", "+1234567891", "+1234567892"])).id;
    completedId = await settleCall(db(), campaignId, "+1234567890", {
      durationMs: 120_000,
      sentiment: "positive",
      emotions: ["satisfied", "relieved"],
      keyPhrases: ["billing", "resolution"],
      summary: "Customer called about billing issue...",
      cost: 0.5,
      createdAt: "2024-01-29T10:30:00Z",
      turns: [
        ["contact", "Hello, I have a billing issue with my invoice."],
        ["agent", "Hi, let me look at your billing issue."],
      ],
    });
    await settleCall(db(), campaignId, "+1234567891", {
      status: "busy",
      createdAt: "2024-01-30T08:00:00Z",
    });
    await settleCall(db(), campaignId, "+1234567892", {
      status: "in_progress",
      durationMs: 30_000,
      sentiment: "negative",
      createdAt: "2024-02-02T08:00:00Z",
      turns: [["contact", "Payment problem! Billing issue, again."]],
    });
  });

  it("GET /call-logs lists calls with every documented filter", async () => {
    const all = await voiceEra("GET", `/call-logs?campaign_id=${campaignId}`, user.caller);
    expect(all.status, all.text).toBe(200);
    const body = all.body as { total: number; items: Array<Record<string, unknown>> };
    expect(body.total).toBe(3);
    expect(body.items.find((item) => item.id === completedId)).toEqual({
      id: completedId,
      campaign_id: campaignId,
      phone_number: "+1234567890",
      status: "completed",
      duration_seconds: 120,
      sentiment: "positive",
      emotions: ["satisfied", "relieved"],
      transcript: "User: Hello, I have a billing issue with my invoice. Agent: Hi, let me look at your billing issue.",
      created_at: "2024-01-29T10:30:00Z",
    });

    const ids = async (query: string) => {
      const response = await voiceEra("GET", `/call-logs?campaign_id=${campaignId}&${query}`, user.caller);
      expect(response.status, response.text).toBe(200);
      return (response.body as { items: Array<{ phone_number: string }> }).items.map((item) => item.phone_number);
    };
    expect(await ids("status=completed")).toEqual(["+1234567890"]);
    expect(await ids("status=busy")).toEqual(["+1234567891"]);
    expect(await ids("status=in_progress")).toEqual(["+1234567892"]);
    expect(await ids("phone_number=%2B1234567890")).toEqual(["+1234567890"]);
    // A bare end_date covers its whole day; a bare start_date starts at midnight.
    expect(await ids("start_date=2024-01-01&end_date=2024-01-31")).toEqual(["+1234567891", "+1234567890"]);
    expect(await ids("start_date=2024-01-30&end_date=2024-02-02")).toEqual(["+1234567892", "+1234567891"]);
    expect(await ids("skip=0&limit=50")).toHaveLength(3);
    expect(await ids("skip=1&limit=1")).toEqual(["+1234567891"]);
  });

  it("GET /call-logs/{id} gives the details: transcript, summary, sentiment, emotions, key phrases", async () => {
    const response = await voiceEra("GET", `/call-logs/${completedId}`, user.caller);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({
      id: completedId,
      campaign_id: campaignId,
      phone_number: "+1234567890",
      status: "completed",
      duration_seconds: 120,
      transcript: "User: Hello, I have a billing issue with my invoice. Agent: Hi, let me look at your billing issue.",
      summary: "Customer called about billing issue...",
      sentiment: "positive",
      emotions: ["satisfied", "relieved"],
      key_phrases: ["billing", "resolution"],
      recording_url: null,
      cost: 0.5,
      created_at: "2024-01-29T10:30:00Z",
    });
  });

  it("GET /analytics/calls, /analytics/sentiment and /analytics/top-phrases over a period", async () => {
    const period = `campaign_id=${campaignId}&start_date=2024-01-01&end_date=2024-02-28`;
    const calls = await voiceEra("GET", `/analytics/calls?${period}`, user.caller);
    expect(calls.status, calls.text).toBe(200);
    // Connected calls: the completed one (120 s) and the one on the line (30 s); the busy one is not.
    expect(calls.body).toEqual({
      total_calls: 3,
      completed_calls: 1,
      failed_calls: 1,
      average_duration: 75,
      success_rate: 33.3,
      cost_per_call: 0.5,
    });

    const sentiment = await voiceEra("GET", `/analytics/sentiment?${period}`, user.caller);
    expect(sentiment.body).toEqual({
      positive: 1,
      neutral: 0,
      negative: 1,
      positive_percentage: 50,
      neutral_percentage: 0,
      negative_percentage: 50,
    });

    const phrases = await voiceEra("GET", `/analytics/top-phrases?${period}&limit=2`, user.caller);
    expect(phrases.status, phrases.text).toBe(200);
    expect(phrases.body).toEqual([
      { phrase: "billing issue", count: 2, frequency: 100 },
      { phrase: "payment problem", count: 1, frequency: 50 },
    ]);

    // The documented queries themselves: ?days=30, ?agent_id=…&days=7, ?agent_id=…&limit=20 (the fixtures are older).
    const recent = await voiceEra("GET", `/analytics/calls?campaign_id=${campaignId}&days=30`, user.caller);
    expect((recent.body as { total_calls: number }).total_calls).toBe(0);
    for (const path of ["/analytics/sentiment?days=7", "/analytics/top-phrases?limit=20"]) {
      const response = await voiceEra("GET", path, user.caller);
      expect(response.status, response.text).toBe(200);
    }
  });
});

describe("the surface under /voiceera", () => {
  it("answers the same endpoints, in the same envelope, and links back under /voiceera", async () => {
    const user = await signUp("mounted");
    const agents = await voiceEra("GET", "/agents", user.caller, { base: "/voiceera" });
    expect(agents.status, agents.text).toBe(200);
    expect(agents.body).toEqual({ total: 0, skip: 0, limit: 10, items: [] });
    expectError(
      await voiceEra("GET", `/agents/${crypto.randomUUID()}`, user.caller, { base: "/voiceera" }),
      404,
      "AGENT_001",
    );
    expectError(await voiceEra("GET", "/call-logs", { ip: freshIp() }, { base: "/voiceera" }), 401, "AUTH_003");
  });
});

describe("health", () => {
  it("GET /voiceera/health answers ok with a timestamp; GET /readiness checks database, storage and cache", async () => {
    const health = await voiceEra("GET", "/health", { ip: freshIp() }, { base: "/voiceera" });
    expect(health.status, health.text).toBe(200);
    expect(health.body).toEqual({ status: "ok", timestamp: TIMESTAMP });
    for (const base of ["", "/voiceera"]) {
      const readiness = await voiceEra("GET", "/readiness", { ip: freshIp() }, { base });
      expect(readiness.status, readiness.text).toBe(200);
      expect(readiness.body).toEqual({ database: "ok", storage: "ok", cache: "ok" });
    }
  });
});

describe("GET /openapi.json", () => {
  it("documents every VoiceERA endpoint, at the root and under /voiceera, with the bearer scheme", async () => {
    const response = await voiceEra("GET", "/openapi.json", { ip: freshIp() });
    type Operation = { security?: Array<Record<string, string[]>> };
    const paths = (response.body as { paths: Record<string, Record<string, Operation>> }).paths;
    const endpoints: Array<[string, string, boolean]> = [
      ["post", "/auth/register", false],
      ["post", "/auth/login", false],
      ["get", "/auth/me", true],
      ["post", "/auth/refresh-token", true],
      ["get", "/agents", true],
      ["post", "/agents", true],
      ["get", "/agents/{agent_id}", true],
      ["put", "/agents/{agent_id}", true],
      ["delete", "/agents/{agent_id}", true],
      ["get", "/campaigns", true],
      ["post", "/campaigns", true],
      ["post", "/campaigns/{campaign_id}/launch", true],
      ["post", "/campaigns/{campaign_id}/pause", true],
      ["get", "/call-logs", true],
      ["get", "/call-logs/{call_id}", true],
      ["get", "/call-recordings/{call_id}", true],
      ["get", "/call-recordings/{call_id}/download", true],
      ["get", "/analytics/calls", true],
      ["get", "/analytics/sentiment", true],
      ["get", "/analytics/top-phrases", true],
      ["get", "/readiness", false],
    ];
    for (const [method, path, secured] of endpoints) {
      for (const base of ["", "/voiceera"]) {
        const operation = paths[`${base}${path}`]?.[method];
        expect(operation, `${method} ${base}${path}`).toBeDefined();
        if (secured) expect(operation?.security, `${method} ${base}${path}`).toContainEqual({ BearerAuth: [] });
      }
    }
    expect(paths["/voiceera/health"]?.get).toBeDefined();
  });
});
