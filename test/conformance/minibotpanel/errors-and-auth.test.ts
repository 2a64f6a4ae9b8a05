import { beforeAll, describe, expect, it } from "vitest";
import { useDatabase } from "../../support/database.js";
import { type RestResponse, rest } from "../../support/http.js";
import { apiKey, callsOf, createCampaign, DOC_CREATE_BODY, setCampaignStatus } from "./data.js";
import { UNAUTHORIZED_BODY, withoutRequestId } from "./shapes.js";

/**
 * The error bodies of shared/api-docs/minibotpanel.md ("Codes d'erreur"), compared whole, and its
 * authentication rule: public paths need nothing, everything under /api/ needs X-API-Key or ?password=.
 * A `request_id` inside `error` is allowed: the product adds one to every error.
 */

const db = useDatabase();
/** A campaign number the demo organisation does not have: the documented 999 when it is free. */
let missing: number;

beforeAll(async () => {
  const taken = await db().query(
    "select 1 from campaigns k join organisations o on o.id = k.org_id where o.slug = 'demo' and k.number = 999",
  );
  missing = taken.rowCount ? 987_654_321 : 999;
});

const withKey = (method: string, path: string, body?: unknown) =>
  rest(method, path, { headers: apiKey(), ...(body === undefined ? {} : { body }) });

function expectBody(response: RestResponse, status: number, body: unknown): void {
  expect(response.status, response.text).toBe(status);
  expect(withoutRequestId(response.body)).toEqual(body);
}

const httpError = (status: number, message: string) => ({ error: { code: `HTTP_${status}`, message } });

/** Every documented endpoint under /api/, with a path that exists for the demo organisation's campaign `n`. */
function apiEndpoints(n: number, callUuid: string): Array<[method: string, path: string]> {
  return [
    ["GET", "/api/campaigns"],
    ["GET", "/api/campaigns/"],
    ["POST", "/api/campaigns/"],
    ["GET", `/api/campaigns/${n}`],
    ["PATCH", `/api/campaigns/${n}`],
    ["DELETE", `/api/campaigns/${n}`],
    ["POST", `/api/campaigns/${n}/start`],
    ["POST", `/api/campaigns/${n}/pause`],
    ["POST", `/api/campaigns/${n}/resume`],
    ["POST", `/api/campaigns/${n}/stop`],
    ["GET", `/api/campaigns/${n}/calls`],
    ["GET", `/api/stats/campaign/${n}`],
    ["GET", `/api/stats/campaign/${n}/live`],
    ["GET", `/api/stats/campaign/${n}/timeline`],
    ["GET", "/api/stats/system"],
    ["GET", `/api/exports/campaign/${n}/csv`],
    ["GET", `/api/exports/campaign/${n}/json`],
    ["GET", `/api/exports/audio/${callUuid}`],
    ["GET", `/api/exports/transcript/${callUuid}`],
    ["GET", `/api/exports/summary/${n}`],
  ];
}

describe("401 - Authentification invalide", () => {
  let campaign: number;
  let callUuid: string;

  beforeAll(async () => {
    campaign = await createCampaign({ name: "Auth", contact_ids: [1], scenario: "scenario_test_demo" });
    callUuid = (await callsOf(db(), campaign))[0]?.id ?? "no-call";
  });

  it("every /api/ endpoint refuses a request without a password, with the documented body", async () => {
    for (const [method, path] of apiEndpoints(campaign, callUuid)) {
      const response = await rest(method, path, method === "POST" || method === "PATCH" ? { body: {} } : {});
      expect(response.status, `${method} ${path}: ${response.text}`).toBe(401);
      expect(withoutRequestId(response.body), `${method} ${path}`).toEqual(UNAUTHORIZED_BODY);
    }
  });

  it("a wrong X-API-Key or ?password= is refused the same way", async () => {
    expectBody(await rest("GET", "/api/campaigns/", { headers: { "x-api-key": "wrong" } }), 401, UNAUTHORIZED_BODY);
    expectBody(await rest("GET", "/api/stats/system?password=wrong"), 401, UNAUTHORIZED_BODY);
    expectBody(await rest("GET", `/api/exports/summary/${campaign}?password=`), 401, UNAUTHORIZED_BODY);
  });

  it("every read endpoint accepts the password as ?password=", async () => {
    const password = encodeURIComponent(apiKey()["x-api-key"] ?? "");
    for (const [method, path] of apiEndpoints(campaign, callUuid).filter(([method]) => method === "GET")) {
      const separator = path.includes("?") ? "&" : "?";
      const response = await rest(method, `${path}${separator}password=${password}`);
      // The call has neither recording nor transcript: those two answer 404, after authentication.
      expect([200, 404], `${method} ${path}: ${response.text}`).toContain(response.status);
      if (response.status === 404) expect(path).toMatch(/\/api\/exports\/(audio|transcript)\//);
    }
  });
});

describe("Endpoints publics", () => {
  it.each([
    ["/", /^application\/json/],
    ["/health", /^application\/json/],
    ["/metrics", /^text\/plain/],
    ["/docs", /^text\/html/],
    ["/redoc", /^text\/html/],
    ["/openapi.json", /^application\/json/],
  ])("GET %s needs no password", async (path, contentType) => {
    const response = await rest("GET", path);
    expect(response.status, response.text.slice(0, 500)).toBe(200);
    expect(response.headers.get("content-type")).toMatch(contentType);
  });

  it("/openapi.json describes version 3.0.0 and every documented endpoint", async () => {
    const document = (await rest("GET", "/openapi.json")).body as {
      info: { version: string };
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.info.version).toBe("3.0.0");
    const documented = apiEndpoints(0, "x")
      .filter(([, path]) => path !== "/api/campaigns")
      .map(([method, path]) => [
        method.toLowerCase(),
        path.replace("/0", "/{campaign_id}").replace(/\/x$/, "/{call_uuid}"),
      ]);
    for (const [method, path] of [...documented, ["get", "/"], ["get", "/health"], ["get", "/metrics"]]) {
      expect(document.paths[path ?? ""]?.[method ?? ""], `${method} ${path} in /openapi.json`).toBeDefined();
    }
  });
});

describe("404 - Campagne non trouvée", () => {
  it("GET /api/campaigns/999 gives the documented body", async () => {
    expectBody(await withKey("GET", `/api/campaigns/${missing}`), 404, httpError(404, `Campaign ${missing} not found`));
  });

  it.each([
    ["PATCH", "/api/campaigns/{id}", { max_concurrent_calls: 10 }],
    ["DELETE", "/api/campaigns/{id}", undefined],
    ["POST", "/api/campaigns/{id}/start", undefined],
    ["POST", "/api/campaigns/{id}/pause", undefined],
    ["POST", "/api/campaigns/{id}/resume", undefined],
    ["POST", "/api/campaigns/{id}/stop", undefined],
    ["GET", "/api/campaigns/{id}/calls", undefined],
    ["GET", "/api/stats/campaign/{id}", undefined],
    ["GET", "/api/stats/campaign/{id}/live", undefined],
    ["GET", "/api/stats/campaign/{id}/timeline", undefined],
    ["GET", "/api/exports/campaign/{id}/csv", undefined],
    ["GET", "/api/exports/campaign/{id}/json", undefined],
    ["GET", "/api/exports/summary/{id}", undefined],
  ])("%s %s of a missing campaign gives the same body", async (method, path, body) => {
    const response = await withKey(method, path.replace("{id}", String(missing)), body);
    expectBody(response, 404, httpError(404, `Campaign ${missing} not found`));
  });

  it("another organisation's campaign is not found either", async () => {
    const foreign = await acmeCampaign();
    expectBody(await withKey("GET", `/api/campaigns/${foreign}`), 404, httpError(404, `Campaign ${foreign} not found`));
  });

  it("a call without recording or transcript, or an unknown call, is a 404 on audio and transcript", async () => {
    const campaign = await createCampaign({ name: "No audio", contact_ids: [2], scenario: "scenario_test_demo" });
    const [call] = await callsOf(db(), campaign);
    for (const uuid of [call?.id, "00000000-0000-4000-8000-000000000000", "abc-123-456"]) {
      for (const kind of ["audio", "transcript"]) {
        const response = await withKey("GET", `/api/exports/${kind}/${uuid}`);
        expect(response.status, `${kind} ${uuid}: ${response.text}`).toBe(404);
        expect(withoutRequestId(response.body)).toEqual({ error: { code: "HTTP_404", message: expect.any(String) } });
      }
    }
  });
});

describe("400 - Action impossible", () => {
  it("starting a completed campaign gives the documented body", async () => {
    const campaign = await createCampaign({ name: "Done", contact_ids: [1], scenario: "scenario_test_demo" });
    await setCampaignStatus(db(), campaign, "completed");
    expectBody(
      await withKey("POST", `/api/campaigns/${campaign}/start`),
      400,
      httpError(400, "Cannot start a completed campaign"),
    );
  });

  it("each refused transition is a 400 HTTP_400", async () => {
    const campaign = await createCampaign({ name: "Refusals", contact_ids: [1], scenario: "scenario_test_demo" });
    const refuse = async (method: string, suffix: string, body?: unknown) => {
      const response = await withKey(method, `/api/campaigns/${campaign}${suffix}`, body);
      expect(response.status, `${method} ${suffix}: ${response.text}`).toBe(400);
      expect(withoutRequestId(response.body)).toEqual({ error: { code: "HTTP_400", message: expect.any(String) } });
      return (response.body as { error: { message: string } }).error.message;
    };
    await refuse("POST", "/pause");
    await refuse("POST", "/resume");
    expect((await withKey("POST", `/api/campaigns/${campaign}/start`)).status).toBe(200);
    expect(await refuse("POST", "/start")).toBe("Campaign is already running");
    await refuse("POST", "/resume");
    await refuse("DELETE", "");
    await refuse("PATCH", "", { name: "Renamed while running" });
    expect((await withKey("POST", `/api/campaigns/${campaign}/stop`)).status).toBe(200);
    await refuse("POST", "/stop");
    await refuse("POST", "/start");
  });

  it("unknown contact ids are a 400: another organisation's contacts do not count", async () => {
    // Contacts 6 and 7 are acme's.
    const response = await withKey("POST", "/api/campaigns/", { ...DOC_CREATE_BODY, contact_ids: [1, 2, 6] });
    expectBody(response, 400, httpError(400, "Some contact IDs are invalid. Found 2 of 3"));
  });

  it("more than 10000 contacts is a 400", async () => {
    const contactIds = Array.from({ length: 10_001 }, (_, index) => index + 1);
    const response = await withKey("POST", "/api/campaigns/", { ...DOC_CREATE_BODY, contact_ids: contactIds });
    expect(response.status, response.text).toBe(400);
    expect(withoutRequestId(response.body)).toEqual({ error: { code: "HTTP_400", message: expect.any(String) } });
  });
});

describe("422 - Validation échouée", () => {
  it("a creation without contact_ids gives the documented body", async () => {
    const { contact_ids: _omitted, ...body } = DOC_CREATE_BODY;
    expectBody(await withKey("POST", "/api/campaigns/", body), 422, {
      error: {
        code: "VALIDATION_ERROR",
        message: "Invalid request data",
        details: [{ loc: ["body", "contact_ids"], msg: "field required", type: "value_error.missing" }],
      },
    });
  });

  it.each([
    ["name too long", { name: "x".repeat(201) }, ["body", "name"]],
    ["description too long", { description: "x".repeat(501) }, ["body", "description"]],
    ["no contacts", { contact_ids: [] }, ["body", "contact_ids"]],
    ["no scenario", { scenario: undefined }, ["body", "scenario"]],
    ["max_concurrent_calls above 50", { max_concurrent_calls: 51 }, ["body", "max_concurrent_calls"]],
    ["batch_size above 20", { batch_size: 21 }, ["body", "batch_size"]],
    ["max_retries above 5", { max_retries: 6 }, ["body", "max_retries"]],
    ["retry_enabled not a boolean", { retry_enabled: "often" }, ["body", "retry_enabled"]],
  ])("a creation with %s is a 422 naming the field", async (_label, change, loc) => {
    const response = await withKey("POST", "/api/campaigns/", { ...DOC_CREATE_BODY, ...change });
    expectValidationError(response, loc);
  });

  it.each([
    ["/api/campaigns/?limit=501", ["query", "limit"]],
    ["/api/campaigns/?status=finished", ["query", "status"]],
    ["/api/stats/campaign/1/timeline?interval=1441", ["query", "interval"]],
  ])("GET %s is a 422 naming the parameter", async (path, loc) => {
    expectValidationError(await withKey("GET", path), loc);
  });
});

/** A campaign of the acme organisation, with an account and an agent of its own. */
async function acmeCampaign(): Promise<number> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const { rows } = await db().query<{ number: string }>(
    `with org as (select id from organisations where slug = 'acme'),
          account as (insert into accounts (org_id, code, name) select id, $1, 'Conformance' from org returning id),
          agent as (insert into agents (org_id, slug, name, kind, mode, scenario)
                    select id, $1, 'Conformance', 'voice', 'scenario', '{"name":"x","steps":{}}' from org returning id)
     insert into campaigns (org_id, account_id, agent_id, name)
     select org.id, account.id, agent.id, 'Acme only' from org, account, agent returning number`,
    [`conformance_${suffix}`],
  );
  const number = Number(rows[0]?.number);
  expect(Number.isInteger(number), "could not insert acme's campaign").toBe(true);
  return number;
}

function expectValidationError(response: RestResponse, loc: string[]): void {
  expect(response.status, response.text).toBe(422);
  const body = withoutRequestId(response.body) as {
    error: { code: string; message: string; details: Array<{ loc: unknown[]; msg: unknown; type: unknown }> };
  };
  expect(body.error).toMatchObject({ code: "VALIDATION_ERROR", message: "Invalid request data" });
  expect(body.error.details.map((detail) => detail.loc)).toContainEqual(loc);
  for (const detail of body.error.details) {
    expect(detail).toEqual({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
  }
}
