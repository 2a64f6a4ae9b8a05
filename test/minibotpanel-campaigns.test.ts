import { describe, expect, inject, it } from "vitest";
import { bearer, registerUser } from "./support/accounts.js";
import { holdDialling, useDatabase } from "./support/database.js";
import { type RestResponse, rest } from "./support/http.js";

/**
 * MiniBotPanel's campaign endpoints (shared/api-docs/minibotpanel.md, "Campaigns"): creation rules,
 * the state machine with every refusal, PATCH rules by state, listings, and isolation between organisations.
 */

const key = () => ({ "x-api-key": inject("apiPassword") });
const database = useDatabase();

type Campaign = { id: number; status: string; stats: Record<string, number> } & Record<string, unknown>;

async function create(body: Record<string, unknown> = {}): Promise<Campaign> {
  const response = await rest("POST", "/api/campaigns/", {
    headers: key(),
    body: { name: "Test Campaign", contact_ids: [1, 2, 3], scenario: "scenario_test_demo", ...body },
  });
  expect(response.status, response.text).toBe(201);
  const campaign = response.body as Campaign;
  // These tests are about the campaign's own state and counts; the dialer would change the calls under them.
  await holdDialling(database(), campaign.id);
  return campaign;
}

const post = (path: string) => rest("POST", path, { headers: key() });

function expectError(response: RestResponse, status: number, code: string, message?: string | RegExp): void {
  expect(response.status, response.text).toBe(status);
  const error = (response.body as { error: { code: string; message: string } }).error;
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
}

function detailsOf(response: RestResponse): Array<{ loc: unknown[]; msg: string; type: string }> {
  expect(response.status, response.text).toBe(422);
  const error = (response.body as { error: { code: string; message: string; details: never } }).error;
  expect(error.code).toBe("VALIDATION_ERROR");
  expect(error.message).toBe("Invalid request data");
  return error.details;
}

describe("POST /api/campaigns/", () => {
  it("creates a pending campaign with the documented defaults and one pending call per contact", async () => {
    const campaign = await create({ contact_ids: [1, 2, 3, 4, 5] });
    expect(campaign).toMatchObject({
      name: "Test Campaign",
      description: null,
      scenario: "scenario_test_demo",
      status: "pending",
      max_concurrent_calls: 5,
      batch_size: 10,
      retry_enabled: true,
      max_retries: 2,
      stats: { total: 5, completed: 0, pending: 5 },
      started_at: null,
      completed_at: null,
    });
    expect(campaign.id).toBeTypeOf("number");
    expect(campaign.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const { rows } = await database().query(
      `select c.status, c.max_attempts, ct.number from calls c join campaigns k on k.id = c.campaign_id
       join contacts ct on ct.id = c.contact_id where k.number = $1 order by c.number`,
      [campaign.id],
    );
    expect(rows.map((row) => Number(row.number))).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(rows.map((row) => `${row.status}/${row.max_attempts}`))).toEqual(new Set(["pending/3"]));
  });

  it("keeps the given settings and counts a repeated contact once", async () => {
    const campaign = await create({
      description: "Campagne de prospection commerciale Q1",
      contact_ids: [1, 1, 2],
      max_concurrent_calls: 50,
      batch_size: 20,
      retry_enabled: false,
      max_retries: 0,
    });
    expect(campaign).toMatchObject({ max_concurrent_calls: 50, batch_size: 20, retry_enabled: false, max_retries: 0 });
    expect(campaign.stats.total).toBe(2);
  });

  it("refuses contacts that do not exist or belong to another organisation, creating nothing", async () => {
    const before = await database().query("select count(*)::int as n from campaigns");
    expectError(
      await rest("POST", "/api/campaigns/", {
        headers: key(),
        body: { name: "x", contact_ids: [1, 999_999], scenario: "scenario_test_demo" },
      }),
      400,
      "HTTP_400",
      "Some contact IDs are invalid. Found 1 of 2",
    );
    // Contacts 6 and 7 are acme's.
    expectError(
      await rest("POST", "/api/campaigns/", {
        headers: key(),
        body: { name: "x", contact_ids: [6, 7], scenario: "scenario_test_demo" },
      }),
      400,
      "HTTP_400",
      "Found 0 of 2",
    );
    const after = await database().query("select count(*)::int as n from campaigns");
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it("refuses an unknown scenario, a chat agent, and more than 10000 contacts with 400", async () => {
    const body = { name: "x", contact_ids: [1] };
    expectError(
      await rest("POST", "/api/campaigns/", { headers: key(), body: { ...body, scenario: "no_such_scenario" } }),
      400,
      "HTTP_400",
      "Scenario 'no_such_scenario' not found",
    );
    expectError(
      await rest("POST", "/api/campaigns/", { headers: key(), body: { ...body, scenario: "meuble_support" } }),
      400,
      "HTTP_400",
      /chat agent/,
    );
    const tooMany = Array.from({ length: 10_001 }, (_, index) => index + 1);
    expectError(
      await rest("POST", "/api/campaigns/", {
        headers: key(),
        body: { ...body, scenario: "scenario_test_demo", contact_ids: tooMany },
      }),
      400,
      "HTTP_400",
      /at most 10000/,
    );
  });

  it("answers 422 with FastAPI-shaped details for missing, out-of-range, mistyped and unknown fields", async () => {
    const send = (body: unknown) => rest("POST", "/api/campaigns/", { headers: key(), body });
    expect(detailsOf(await send({ name: "x", scenario: "scenario_test_demo" }))).toContainEqual({
      loc: ["body", "contact_ids"],
      msg: "field required",
      type: "value_error.missing",
    });
    const base = { name: "x", contact_ids: [1], scenario: "scenario_test_demo" };
    const cases: Array<[Record<string, unknown>, (string | number)[], string]> = [
      [{ name: "" }, ["body", "name"], "value_error.any_str.min_length"],
      [{ name: "n".repeat(201) }, ["body", "name"], "value_error.any_str.max_length"],
      [{ description: "d".repeat(501) }, ["body", "description"], "value_error.any_str.max_length"],
      [{ contact_ids: [] }, ["body", "contact_ids"], "value_error.list.min_items"],
      [{ max_concurrent_calls: 0 }, ["body", "max_concurrent_calls"], "value_error.number.not_ge"],
      [{ max_concurrent_calls: 51 }, ["body", "max_concurrent_calls"], "value_error.number.not_le"],
      [{ batch_size: 21 }, ["body", "batch_size"], "value_error.number.not_le"],
      [{ max_retries: 6 }, ["body", "max_retries"], "value_error.number.not_le"],
      [{ max_retries: -1 }, ["body", "max_retries"], "value_error.number.not_ge"],
      [{ max_concurrent_calls: "many" }, ["body", "max_concurrent_calls"], "type_error.number"],
      [{ retry_enabled: "yes" }, ["body", "retry_enabled"], "type_error.bool"],
      [{ contact_ids: ["a"] }, ["body", "contact_ids", 0], "type_error.number"],
      [{ colour: "blue" }, ["body", "colour"], "value_error.extra"],
    ];
    for (const [patch, loc, type] of cases) {
      const details = detailsOf(await send({ ...base, ...patch }));
      expect(details, `${JSON.stringify(patch)} → ${JSON.stringify(details)}`).toContainEqual(
        expect.objectContaining({ loc, type }),
      );
    }
    const malformed = await rest("POST", "/api/campaigns/", {
      headers: { ...key(), "content-type": "application/json" },
      rawBody: "{not json",
    });
    expect(detailsOf(malformed)[0]?.type).toBe("value_error.jsondecode");
  });

  it("answers the bare /api/campaigns path like the documented one", async () => {
    const response = await rest("POST", "/api/campaigns", {
      headers: key(),
      body: { name: "no slash", contact_ids: [1], scenario: "scenario_vin" },
    });
    expect(response.status, response.text).toBe(201);
    expect((await rest("GET", "/api/campaigns", { headers: key() })).status).toBe(200);
  });
});

type State = "pending" | "running" | "paused" | "completed" | "cancelled";
type Action = "start" | "pause" | "resume" | "stop" | "delete";

/** A fresh campaign brought into `state` the way a user would (completion comes from the dialer, so it is set directly). */
async function campaignIn(state: State): Promise<number> {
  const { id } = await create();
  if (state === "running" || state === "paused") expect((await post(`/api/campaigns/${id}/start`)).status).toBe(200);
  if (state === "paused") expect((await post(`/api/campaigns/${id}/pause`)).status).toBe(200);
  if (state === "cancelled") expect((await post(`/api/campaigns/${id}/stop`)).status).toBe(200);
  if (state === "completed") {
    await database().query("update campaigns set status = 'completed', completed_at = now() where number = $1", [id]);
  }
  return id;
}

function perform(action: Action, id: number): Promise<RestResponse> {
  return action === "delete"
    ? rest("DELETE", `/api/campaigns/${id}`, { headers: key() })
    : post(`/api/campaigns/${id}/${action}`);
}

/** Every action from every state: the resulting status, or the documented 400's message. */
const TRANSITIONS: Record<Action, Record<State, State | "deleted" | RegExp>> = {
  start: {
    pending: "running",
    paused: "running",
    running: /^Campaign is already running$/,
    completed: /^Cannot start a completed campaign$/,
    cancelled: /^Cannot start a cancelled campaign$/,
  },
  pause: {
    running: "paused",
    pending: /Only running campaigns can be paused/,
    paused: /Only running campaigns can be paused/,
    completed: /Only running campaigns can be paused/,
    cancelled: /Only running campaigns can be paused/,
  },
  resume: {
    paused: "running",
    pending: /Only paused campaigns can be resumed/,
    running: /Only paused campaigns can be resumed/,
    completed: /Only paused campaigns can be resumed/,
    cancelled: /Only paused campaigns can be resumed/,
  },
  stop: {
    pending: "cancelled",
    running: "cancelled",
    paused: "cancelled",
    completed: /already completed/,
    cancelled: /already cancelled/,
  },
  delete: {
    pending: "deleted",
    running: /Only pending campaigns can be deleted/,
    paused: /Only pending campaigns can be deleted/,
    completed: /Only pending campaigns can be deleted/,
    cancelled: /Only pending campaigns can be deleted/,
  },
};

describe("the campaign state machine", () => {
  for (const [action, row] of Object.entries(TRANSITIONS) as Array<[Action, (typeof TRANSITIONS)[Action]]>) {
    for (const [state, outcome] of Object.entries(row) as Array<[State, State | "deleted" | RegExp]>) {
      const label = outcome instanceof RegExp ? "refused with 400" : `→ ${outcome}`;
      it(`${action} from ${state}: ${label}`, async () => {
        const id = await campaignIn(state);
        const response = await perform(action, id);
        const after = await rest("GET", `/api/campaigns/${id}`, { headers: key() });
        if (outcome instanceof RegExp) {
          expectError(response, 400, "HTTP_400", outcome);
          expect((after.body as Campaign).status).toBe(state);
        } else if (outcome === "deleted") {
          expect(response.status).toBe(204);
          expect(response.text).toBe("");
          expectError(after, 404, "HTTP_404", `Campaign ${id} not found`);
        } else {
          expect(response.status, response.text).toBe(200);
          expect(response.body).toMatchObject({ status: "success", campaign_id: id });
          expect((response.body as { message: string }).message).toMatch(new RegExp(`^Campaign ${id} \\w+ed$`));
          expect((after.body as Campaign).status).toBe(outcome);
        }
      });
    }
  }

  it("start records started_at once; a resume keeps it", async () => {
    const id = await campaignIn("paused");
    const first = (await rest("GET", `/api/campaigns/${id}`, { headers: key() })).body as Campaign;
    await post(`/api/campaigns/${id}/resume`);
    const later = (await rest("GET", `/api/campaigns/${id}`, { headers: key() })).body as Campaign;
    expect(first.started_at).toMatch(/^\d{4}-/);
    expect(later.started_at).toBe(first.started_at);
  });

  it("stop cancels every waiting call, leaves calls on the line alone, and reports final stats", async () => {
    const { id } = await create({ contact_ids: [1, 2, 3, 4, 5] });
    await post(`/api/campaigns/${id}/start`);
    await database().query(
      `update calls set status = 'completed', result = 'lead' where number = (select min(c.number) from calls c join campaigns k on k.id = c.campaign_id where k.number = $1)`,
      [id],
    );
    await database().query(
      `update calls set status = 'in_progress' where number = (select max(c.number) from calls c join campaigns k on k.id = c.campaign_id where k.number = $1)`,
      [id],
    );
    const stopped = await post(`/api/campaigns/${id}/stop`);
    expect(stopped.body).toEqual({
      status: "success",
      message: `Campaign ${id} stopped`,
      campaign_id: id,
      final_stats: { total: 5, completed: 1, pending: 0, leads: 1, not_interested: 0 },
    });
    const { rows } = await database().query(
      "select c.status, count(*)::int as n from calls c join campaigns k on k.id = c.campaign_id where k.number = $1 group by 1",
      [id],
    );
    expect(Object.fromEntries(rows.map((row) => [row.status, row.n]))).toEqual({
      completed: 1,
      in_progress: 1,
      cancelled: 3,
    });
  });

  it("answers 404 in the documented body for an unknown campaign and 422 for a non-numeric id", async () => {
    const missing = await post("/api/campaigns/999999/start");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { code: "HTTP_404", message: "Campaign 999999 not found", request_id: expect.any(String) },
    });
    const details = detailsOf(await post("/api/campaigns/abc/start"));
    expect(details[0]?.loc).toEqual(["path", "campaign_id"]);
  });
});

describe("PATCH /api/campaigns/{id}", () => {
  const patch = (id: number, body: unknown) => rest("PATCH", `/api/campaigns/${id}`, { headers: key(), body });

  it("changes any field of a pending or paused campaign, including its scenario", async () => {
    for (const state of ["pending", "paused"] as const) {
      const id = await campaignIn(state);
      const response = await patch(id, {
        name: "Nouveau nom",
        description: "Nouvelle description",
        scenario: "scenario_vin",
        batch_size: 3,
        max_retries: 4,
      });
      expect(response.status, response.text).toBe(200);
      expect(response.body).toMatchObject({
        id,
        name: "Nouveau nom",
        description: "Nouvelle description",
        scenario: "scenario_vin",
        batch_size: 3,
        max_retries: 4,
        status: state,
      });
      const { rows } = await database().query(
        `select distinct c.max_attempts, a.slug from calls c join campaigns k on k.id = c.campaign_id
         join agents a on a.id = c.agent_id where k.number = $1`,
        [id],
      );
      expect(rows).toEqual([{ max_attempts: 5, slug: "scenario_vin" }]);
    }
  });

  it("lets a running campaign change only max_concurrent_calls", async () => {
    const id = await campaignIn("running");
    const allowed = await patch(id, { max_concurrent_calls: 10 });
    expect(allowed.status, allowed.text).toBe(200);
    expect(allowed.body).toMatchObject({ max_concurrent_calls: 10, status: "running" });
    expectError(await patch(id, { name: "Renamed" }), 400, "HTTP_400", /Only max_concurrent_calls/);
    expectError(await patch(id, { max_concurrent_calls: 12, batch_size: 2 }), 400, "HTTP_400");
    const after = (await rest("GET", `/api/campaigns/${id}`, { headers: key() })).body as Campaign;
    expect(after).toMatchObject({ name: "Test Campaign", max_concurrent_calls: 10, batch_size: 10 });
  });

  it("refuses changes to completed and cancelled campaigns, bad values and unknown ids", async () => {
    for (const state of ["completed", "cancelled"] as const) {
      expectError(await patch(await campaignIn(state), { max_concurrent_calls: 2 }), 400, "HTTP_400", /Cannot modify/);
    }
    const id = await campaignIn("pending");
    expect(detailsOf(await patch(id, { max_concurrent_calls: 99 }))[0]?.loc).toEqual(["body", "max_concurrent_calls"]);
    expect(detailsOf(await patch(id, { status: "running" }))[0]?.type).toBe("value_error.extra");
    expectError(await patch(id, { scenario: "nope" }), 400, "HTTP_400", /Scenario 'nope' not found/);
    expectError(await patch(999_999, { name: "x" }), 404, "HTTP_404", "Campaign 999999 not found");
  });
});

describe("GET /api/campaigns/ and /api/campaigns/{id}/calls", () => {
  it("lists newest first with counts, filters by status and pages with limit and offset", async () => {
    const older = await campaignIn("running");
    const newer = await campaignIn("running");
    const running = await rest("GET", "/api/campaigns/?status=running&limit=500", { headers: key() });
    const body = running.body as { total: number; limit: number; offset: number; campaigns: Campaign[] };
    expect(body.limit).toBe(500);
    expect(body.offset).toBe(0);
    expect(body.campaigns.every((campaign) => campaign.status === "running")).toBe(true);
    expect(body.total).toBe(body.campaigns.length);
    const ids = body.campaigns.map((campaign) => campaign.id);
    expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(older));
    expect(body.campaigns.find((campaign) => campaign.id === newer)).toMatchObject({
      scenario: "scenario_test_demo",
      stats: { total: 3, completed: 0, in_progress: 0, pending: 3 },
    });
    const second = await rest("GET", "/api/campaigns/?status=running&limit=1&offset=1", { headers: key() });
    expect((second.body as { campaigns: Campaign[] }).campaigns.map((campaign) => campaign.id)).toEqual([ids[1]]);
    for (const query of ["limit=0", "limit=501", "offset=-1", "status=sleeping"]) {
      expect((await rest("GET", `/api/campaigns/?${query}`, { headers: key() })).status, query).toBe(422);
    }
  });

  it("shows the detail counts, and lists calls with their contact, filtered by status and result", async () => {
    const { id } = await create({ contact_ids: [1, 2, 3] });
    await database().query(
      `update calls c set status = 'completed', result = 'lead', duration_ms = 127400, sentiment = 'positive'
       from campaigns k, contacts ct where k.id = c.campaign_id and ct.id = c.contact_id and k.number = $1 and ct.number = 1`,
      [id],
    );
    const detail = await rest("GET", `/api/campaigns/${id}`, { headers: key() });
    expect((detail.body as Campaign).stats).toEqual({
      total: 3,
      completed: 1,
      in_progress: 0,
      pending: 2,
      leads: 1,
      not_interested: 0,
      callbacks: 0,
    });
    const leads = await rest("GET", `/api/campaigns/${id}/calls?result=lead`, { headers: key() });
    const page = leads.body as { total: number; calls: Array<Record<string, unknown>> };
    expect(page.total).toBe(1);
    const [lead] = page.calls;
    expect(lead).toMatchObject({ status: "completed", result: "lead", duration: 127, sentiment: "positive" });
    expect(lead?.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(lead?.contact).toEqual({
      phone: expect.stringMatching(/^\+\d+$/),
      first_name: expect.any(String),
      last_name: expect.anything(),
      company: expect.anything(),
    });
    const pending = await rest("GET", `/api/campaigns/${id}/calls?status=pending&limit=1`, { headers: key() });
    expect(pending.body).toMatchObject({ total: 2, limit: 1, offset: 0 });
    expect((await rest("GET", `/api/campaigns/${id}/calls?result=maybe`, { headers: key() })).status).toBe(422);
  });
});

describe("authentication and isolation", () => {
  it("refuses missing or wrong passwords with the documented 401 and accepts ?password=", async () => {
    const expected = {
      error: {
        code: "UNAUTHORIZED",
        message: "Invalid or missing API password. Provide it via X-API-Key header or ?password= query param.",
        request_id: expect.any(String),
      },
    };
    for (const headers of [{}, { "x-api-key": "wrong" }] as Array<Record<string, string>>) {
      const response = await rest("GET", "/api/campaigns/", { headers });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(expected);
    }
    const byQuery = await rest("GET", `/api/campaigns/?password=${encodeURIComponent(inject("apiPassword"))}`);
    expect(byQuery.status).toBe(200);
  });

  it("never shows or changes one organisation's campaign to another", async () => {
    const id = await campaignIn("pending");
    const other = bearer((await registerUser("mbp-other")).accessToken);
    const otherList = await rest("GET", "/api/campaigns/?limit=500", { headers: other });
    expect(otherList.body).toMatchObject({ total: 0, campaigns: [] });
    const attempts = [
      rest("GET", `/api/campaigns/${id}`, { headers: other }),
      rest("GET", `/api/campaigns/${id}/calls`, { headers: other }),
      rest("PATCH", `/api/campaigns/${id}`, { headers: other, body: { name: "stolen" } }),
      rest("DELETE", `/api/campaigns/${id}`, { headers: other }),
      ...(["start", "pause", "resume", "stop"] as const).map((action) =>
        rest("POST", `/api/campaigns/${id}/${action}`, { headers: other }),
      ),
    ];
    for (const response of await Promise.all(attempts))
      expectError(response, 404, "HTTP_404", `Campaign ${id} not found`);
    // Their own scenario names and contact numbers don't reach into demo's either.
    expectError(
      await rest("POST", "/api/campaigns/", {
        headers: other,
        body: { name: "x", contact_ids: [1], scenario: "scenario_test_demo" },
      }),
      400,
      "HTTP_400",
      /Scenario 'scenario_test_demo' not found/,
    );
    const after = (await rest("GET", `/api/campaigns/${id}`, { headers: key() })).body as Campaign;
    expect(after).toMatchObject({ name: "Test Campaign", status: "pending" });
  });
});
