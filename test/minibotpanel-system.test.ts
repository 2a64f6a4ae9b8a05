import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { httpStatusOf, overallStatus } from "../edge/src/ops/health-status.js";
import { useDatabase } from "./support/database.js";
import { rest } from "./support/http.js";
import { TEST_CORS_ORIGIN } from "./support/throwaway-edge.js";

/**
 * MiniBotPanel's root endpoints (shared/api-docs/minibotpanel.md "Endpoints racine"), CORS, the
 * OpenAPI document and the offline documentation pages.
 */

const LEGACY_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;
const UNAUTHORIZED_MESSAGE =
  "Invalid or missing API password. Provide it via X-API-Key header or ?password= query param.";

/** Every endpoint the document describes, as (method, path) in OpenAPI spelling. */
const DOCUMENTED_ENDPOINTS = [
  ["get", "/"],
  ["get", "/health"],
  ["get", "/metrics"],
  ["post", "/api/campaigns/"],
  ["get", "/api/campaigns/"],
  ["get", "/api/campaigns/{campaign_id}"],
  ["patch", "/api/campaigns/{campaign_id}"],
  ["post", "/api/campaigns/{campaign_id}/start"],
  ["post", "/api/campaigns/{campaign_id}/pause"],
  ["post", "/api/campaigns/{campaign_id}/resume"],
  ["post", "/api/campaigns/{campaign_id}/stop"],
  ["delete", "/api/campaigns/{campaign_id}"],
  ["get", "/api/campaigns/{campaign_id}/calls"],
  ["get", "/api/stats/campaign/{campaign_id}"],
  ["get", "/api/stats/campaign/{campaign_id}/live"],
  ["get", "/api/stats/campaign/{campaign_id}/timeline"],
  ["get", "/api/stats/system"],
  ["get", "/api/exports/campaign/{campaign_id}/csv"],
  ["get", "/api/exports/campaign/{campaign_id}/json"],
  ["get", "/api/exports/audio/{call_uuid}"],
  ["get", "/api/exports/transcript/{call_uuid}"],
  ["get", "/api/exports/summary/{campaign_id}"],
] as const;

const PUBLIC_PATHS = ["/", "/health", "/metrics", "/docs", "/redoc", "/openapi.json"];

type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      { tags?: string[]; security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }
    >
  >;
  components: { securitySchemes: Record<string, Record<string, string>> };
};

type Exposition = {
  /** `name{labels}` → value, for every sample. */
  samples: Map<string, number>;
  types: Map<string, string>;
};

/**
 * Parses Prometheus text format strictly enough to fail on mistakes: each sample must belong to a
 * family announced by HELP and TYPE before it, and every value must be a number.
 */
function parseExposition(text: string): Exposition {
  const helps = new Set<string>();
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    if (help?.[1]) {
      helps.add(help[1]);
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)$/.exec(line);
    if (type?.[1] && type[2]) {
      expect(helps.has(type[1]), `TYPE before HELP: ${line}`).toBe(true);
      types.set(type[1], type[2]);
      continue;
    }
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? (\S+)$/.exec(
        line,
      );
    if (!sample?.[1] || !sample[3]) throw new Error(`not a Prometheus line: ${line}`);
    const name = sample[1];
    const family = types.has(name) ? name : name.replace(/_(sum|count|bucket)$/, "");
    expect(types.has(family) && helps.has(family), `sample without HELP/TYPE: ${line}`).toBe(true);
    if (family !== name) expect(["summary", "histogram"]).toContain(types.get(family));
    expect(sample[3], line).toMatch(/^(NaN|[+-]Inf|-?\d+(\.\d+)?(e[+-]?\d+)?)$/);
    samples.set(`${name}${sample[2] ?? ""}`, Number(sample[3]));
  }
  return { samples, types };
}

async function scrape(): Promise<Exposition> {
  const response = await rest("GET", "/metrics");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(response.text);
}

function value(exposition: Exposition, sample: string): number {
  const found = exposition.samples.get(sample);
  if (found === undefined) throw new Error(`no sample ${sample}`);
  return found;
}

describe("GET /", () => {
  it("describes the API", async () => {
    const response = await rest("GET", "/");

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: "MiniBotPanel v3 API",
      version: "3.0.0",
      status: "running",
      documentation: { swagger: "/docs", redoc: "/redoc", openapi: "/openapi.json" },
      endpoints: { campaigns: "/api/campaigns", statistics: "/api/stats", exports: "/api/exports" },
    });
    expect((response.body as { uptime: string }).uptime).toMatch(/^\d+h \d+m$/);
  });
});

describe("GET /health", () => {
  it("reports each component and is healthy with the media node up", async () => {
    const response = await rest("GET", "/health");

    expect(response.status, response.text).toBe(200);
    const body = response.body as {
      status: string;
      timestamp: string;
      components: Record<string, { status: string; url?: string; latency_ms?: number }>;
    };
    expect(body.status).toBe("healthy");
    expect(body.timestamp).toMatch(LEGACY_TIMESTAMP);
    expect(Object.keys(body.components).sort()).toEqual(["database", "llm", "speech", "telephony"]);
    expect(body.components.database).toMatchObject({ status: "healthy" });
    expect(body.components.database?.latency_ms).toBeGreaterThanOrEqual(0);
    expect(body.components.telephony).toMatchObject({ status: "healthy", url: inject("mediaNodeUrl") });
    expect(body.components.speech).toMatchObject({ asr: "jambonz", tts: "jambonz" });
    expect(body.components.llm).toEqual({ status: "not_configured" });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});

describe("the health rule", () => {
  const healthy = { status: "healthy", critical: true } as const;
  const optional = { status: "healthy", critical: false } as const;

  it("is healthy when every component is, or is switched off or unknown but not critical", () => {
    expect(overallStatus([healthy, optional])).toBe("healthy");
    expect(overallStatus([healthy, { status: "not_configured", critical: false }])).toBe("healthy");
    expect(overallStatus([healthy, { status: "unknown", critical: false }])).toBe("healthy");
    expect(httpStatusOf("healthy")).toBe(200);
  });

  it("is unhealthy (503) when a critical component is down or cannot be checked", () => {
    expect(overallStatus([{ status: "unhealthy", critical: true }, optional])).toBe("unhealthy");
    expect(overallStatus([{ status: "unknown", critical: true }, optional])).toBe("unhealthy");
    expect(
      overallStatus([
        { status: "unhealthy", critical: true },
        { status: "unhealthy", critical: false },
      ]),
    ).toBe("unhealthy");
    expect(httpStatusOf("unhealthy")).toBe(503);
  });

  it("is degraded (200) when only a non-critical component is down, or a critical one is degraded", () => {
    expect(overallStatus([healthy, { status: "unhealthy", critical: false }])).toBe("degraded");
    expect(overallStatus([healthy, { status: "degraded", critical: false }])).toBe("degraded");
    expect(overallStatus([{ status: "degraded", critical: true }, optional])).toBe("degraded");
    expect(httpStatusOf("degraded")).toBe(200);
  });
});

describe("GET /metrics", () => {
  const database = useDatabase();
  let fixtureIds: string[] = [];

  afterAll(async () => {
    if (fixtureIds.length > 0) await database().query("delete from calls where id = any($1::uuid[])", [fixtureIds]);
  });

  it("is Prometheus text with the documented minibot_* families and the operator figures", async () => {
    const metrics = await scrape();

    expect(metrics.types.get("minibot_campaigns_active")).toBe("gauge");
    expect(metrics.types.get("minibot_calls_active")).toBe("gauge");
    expect(metrics.types.get("minibot_calls_completed_total")).toBe("counter");
    expect(metrics.types.get("minibot_uptime_seconds")).toBe("gauge");
    expect(value(metrics, "minibot_uptime_seconds")).toBeGreaterThanOrEqual(0);
    expect(value(metrics, "switchboard_database_up")).toBe(1);
    expect(value(metrics, "switchboard_database_query_seconds")).toBeGreaterThanOrEqual(0);
    expect(value(metrics, "switchboard_leads_total")).toBeGreaterThanOrEqual(0);
    expect(value(metrics, "switchboard_call_duration_seconds_count")).toBeGreaterThanOrEqual(0);
    for (const status of ["pending", "running", "paused", "completed", "cancelled"]) {
      expect(value(metrics, `switchboard_campaigns{status="${status}"}`)).toBeGreaterThanOrEqual(0);
    }
    for (const status of ["pending", "calling", "ringing", "in_progress", "completed", "no_answer", "busy"]) {
      expect(value(metrics, `switchboard_calls{status="${status}"}`)).toBeGreaterThanOrEqual(0);
    }
    // One statement, so the documented figures agree with the breakdowns of the same scrape.
    expect(value(metrics, "minibot_campaigns_active")).toBe(value(metrics, 'switchboard_campaigns{status="running"}'));
    expect(value(metrics, "minibot_calls_active")).toBe(
      ["calling", "ringing", "in_progress"].reduce(
        (sum, status) => sum + value(metrics, `switchboard_calls{status="${status}"}`),
        0,
      ),
    );
    expect(value(metrics, "minibot_calls_completed_total")).toBe(
      value(metrics, 'switchboard_calls{status="completed"}'),
    );
  });

  it("counts calls in progress as active and finished ones as completed", async () => {
    const { rows } = await database().query<{ id: string }>(
      `insert into calls (org_id, to_number, status)
       select organisations.id, '+33600000000', 'pending'
       from organisations cross join generate_series(1, 3)
       where organisations.slug = 'demo'
       returning id`,
    );
    fixtureIds = rows.map((row) => row.id);
    expect(fixtureIds).toHaveLength(3);
    const setStatus = (status: string) =>
      database().query("update calls set status = $1 where id = any($2::uuid[])", [status, fixtureIds]);

    const before = await scrape();
    await setStatus("in_progress");
    const during = await scrape();
    await setStatus("completed");
    const after = await scrape();

    expect(value(during, "minibot_calls_active") - value(before, "minibot_calls_active")).toBe(3);
    expect(value(after, "minibot_calls_active") - value(during, "minibot_calls_active")).toBe(-3);
    expect(value(after, "minibot_calls_completed_total") - value(during, "minibot_calls_completed_total")).toBe(3);
  });

  it("carries no tenant data: status is the only label, and no organisation is named", async () => {
    const metrics = await scrape();
    const labelled = [...metrics.samples.keys()].filter((sample) => sample.includes("{"));
    expect(labelled.length).toBeGreaterThan(0);
    for (const sample of labelled) expect(sample).toMatch(/^\w+\{status="[a-z_]+"\}$/);
    const response = await rest("GET", "/metrics");
    expect(response.text).not.toMatch(/demo|acme/i);
  });
});

describe("authentication", () => {
  it("leaves the public paths open", async () => {
    for (const path of PUBLIC_PATHS) {
      const response = await rest("GET", path);
      expect(response.status, `${path}: ${response.text.slice(0, 200)}`).toBe(200);
    }
  });

  it("refuses /api/campaigns/ without credentials with the documented body", async () => {
    const response = await rest("GET", "/api/campaigns/");

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "UNAUTHORIZED", message: UNAUTHORIZED_MESSAGE } });
  });
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    rest("OPTIONS", "/api/campaigns/", {
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-api-key, content-type, x-custom",
      },
    });

  it("answers a preflight from an allowed origin without credentials", async () => {
    const response = await preflight(TEST_CORS_ORIGIN);

    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(TEST_CORS_ORIGIN);
    expect(response.headers.get("access-control-allow-methods")?.split(",")).toEqual([
      "GET",
      "POST",
      "PUT",
      "PATCH",
      "DELETE",
      "OPTIONS",
    ]);
    expect(response.headers.get("access-control-allow-headers")).toBe("x-api-key,content-type,x-custom");
  });

  it("does not allow other origins", async () => {
    const response = await preflight("https://evil.example");

    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const simple = await rest("GET", "/health", { headers: { origin: "https://evil.example" } });
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("is the only policy: GraphQL's own CORS does not widen it", async () => {
    const query = "/graphql?query=%7B__typename%7D";
    const refused = await rest("GET", query, {
      headers: { origin: "https://evil.example", accept: "application/json" },
    });
    expect(refused.status).toBe(200);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(refused.headers.get("access-control-allow-credentials")).toBeNull();

    const allowed = await rest("GET", query, { headers: { origin: TEST_CORS_ORIGIN, accept: "application/json" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe(TEST_CORS_ORIGIN);
  });

  it("lets an allowed origin read responses, errors included, and the request id", async () => {
    const ok = await rest("GET", "/", { headers: { origin: TEST_CORS_ORIGIN } });
    expect(ok.headers.get("access-control-allow-origin")).toBe(TEST_CORS_ORIGIN);
    expect(ok.headers.get("access-control-expose-headers")).toBe("x-request-id");
    expect(ok.headers.get("x-request-id")).toBeTruthy();

    const refused = await rest("GET", "/api/campaigns/", { headers: { origin: TEST_CORS_ORIGIN } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(TEST_CORS_ORIGIN);
  });
});

describe("GET /openapi.json", () => {
  let document: OpenApiDocument;

  beforeAll(async () => {
    const response = await rest("GET", "/openapi.json");
    expect(response.status).toBe(200);
    document = response.body as OpenApiDocument;
  });

  it("is OpenAPI 3.1 with the API's title, version and security schemes", () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.info).toMatchObject({ title: "Switchboard API (MiniBotPanel v3 compatible)", version: "3.0.0" });
    expect(document.components.securitySchemes).toMatchObject({
      ApiKeyHeader: { type: "apiKey", in: "header", name: "X-API-Key" },
      ApiKeyQuery: { type: "apiKey", in: "query", name: "password" },
      BearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
    });
  });

  it("documents the root endpoints", () => {
    for (const path of ["/", "/health", "/metrics"]) {
      expect(document.paths[path]?.get?.tags, path).toEqual(["Root"]);
    }
    expect(Object.keys(document.paths["/health"]?.get?.responses ?? {}).sort()).toEqual(["200", "503"]);
    expect(document.paths["/metrics"]?.get?.responses["200"]?.content).toHaveProperty("text/plain");
  });

  it("lists every endpoint of the MiniBotPanel document", () => {
    const missing = DOCUMENTED_ENDPOINTS.filter(([method, path]) => !document.paths[path]?.[method]).map(
      ([method, path]) => `${method.toUpperCase()} ${path}`,
    );
    expect(missing).toEqual([]);
  });

  it("declares the API password on every /api operation", () => {
    const schemes = (security: unknown[] | undefined) =>
      (security ?? []).flatMap((entry) => Object.keys(entry as object));
    for (const [path, operations] of Object.entries(document.paths)) {
      if (!path.startsWith("/api/")) continue;
      for (const [method, operation] of Object.entries(operations)) {
        expect(schemes(operation.security), `${method} ${path}`).toEqual(
          expect.arrayContaining(["ApiKeyHeader", "ApiKeyQuery"]),
        );
      }
    }
  });
});

describe("documentation pages", () => {
  /** The URLs a page loads: script sources, stylesheets and ReDoc's spec. */
  function referencedUrls(html: string): string[] {
    return [...html.matchAll(/\b(?:src|href|spec-url)="([^"]+)"/g)].map((match) => match[1] ?? "");
  }

  for (const page of ["/docs", "/redoc"]) {
    it(`${page} is HTML that loads only assets served here`, async () => {
      const response = await rest("GET", page);

      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.text).not.toMatch(/https?:\/\//);
      const urls = referencedUrls(response.text);
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) {
        expect(url, url).toMatch(/^\/[^/]/);
        const asset = await rest("GET", url);
        expect(asset.status, url).toBe(200);
        const expected = url.endsWith(".css") ? /^text\/css/ : url.endsWith(".js") ? /javascript/ : /json/;
        expect(asset.headers.get("content-type"), url).toMatch(expected);
        if (url.endsWith(".js") || url.endsWith(".css")) {
          expect(asset.headers.get("cache-control"), url).toMatch(/max-age=\d+/);
          expect(asset.text.length, url).toBeGreaterThan(100);
        }
      }
    });
  }

  it("starts Swagger UI on /openapi.json without the online validator", async () => {
    const page = await rest("GET", "/docs");
    const initializer = referencedUrls(page.text).find((url) => url.includes("initializer"));
    if (!initializer) throw new Error(`no initializer in ${page.text}`);
    const script = await rest("GET", initializer);
    expect(script.text).toContain('url: "/openapi.json"');
    expect(script.text).toContain("validatorUrl: null");
  });

  it("serves the bundles with long cache lifetimes on versioned paths", async () => {
    const page = await rest("GET", "/redoc");
    const bundle = referencedUrls(page.text).find((url) => url.endsWith("redoc.standalone.js"));
    expect(bundle).toMatch(/@\d+\.\d+\.\d+\//);
    const response = await rest("GET", bundle ?? "");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });
});
