import { createRoute, z } from "@hono/zod-openapi";
import { checkHealth } from "../../ops/health.js";
import { COMPONENT_STATUSES, httpStatusOf, OVERALL_STATUSES } from "../../ops/health-status.js";
import { renderMetrics } from "../../ops/metrics.js";
import { PROMETHEUS_CONTENT_TYPE } from "../../ops/prometheus.js";
import { uptimeMs } from "../../ops/uptime.js";
import { legacyTimestamp, uptime } from "./format.js";
import type { MiniBotPanelApp } from "./surface.js";

const SystemInfo = z
  .object({
    name: z.string().openapi({ example: "MiniBotPanel v3 API" }),
    version: z.string().openapi({ example: "3.0.0" }),
    status: z.literal("running"),
    uptime: z.string().openapi({ example: "5h 32m" }),
    documentation: z.object({ swagger: z.string(), redoc: z.string(), openapi: z.string() }),
    endpoints: z.object({
      campaigns: z.string(),
      statistics: z.string(),
      exports: z.string(),
      graphql: z.string(),
    }),
  })
  .openapi("SystemInfo");

const ComponentHealth = z.object({
  status: z.enum(COMPONENT_STATUSES),
  latency_ms: z.number().optional().openapi({ description: "Time the check took" }),
  url: z.string().optional().openapi({ description: "What was checked (without credentials)" }),
  error: z.string().optional(),
});

const HealthBody = z
  .object({
    status: z.enum(OVERALL_STATUSES),
    timestamp: z.string().openapi({ example: "2025-01-15T14:32:10.123456" }),
    components: z.object({
      database: ComponentHealth.openapi({ description: "PostgreSQL (critical): `select 1`" }),
      telephony: ComponentHealth.extend({ uptime_seconds: z.number().optional() }).openapi({
        description: "The media node in front of jambonz (critical): its /health",
      }),
      speech: ComponentHealth.extend({
        asr: z.string().optional(),
        tts: z.string().optional(),
        detail: z.string().optional(),
      }).openapi({ description: "ASR/TTS on jambonz, as the media node reports them" }),
      llm: ComponentHealth.openapi({
        description: "OpenAI-compatible LLM endpoint; `not_configured` when only scenario agents run",
      }),
    }),
  })
  .openapi("Health");

const rootRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["Root"],
  summary: "Informations système",
  responses: { 200: { content: { "application/json": { schema: SystemInfo } }, description: "API information" } },
});

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["Root"],
  summary: "Health check",
  description:
    "Checks every component in parallel. A critical component (database, telephony) down gives 503 " +
    "`unhealthy`; another one down gives 200 `degraded`.",
  responses: {
    200: { content: { "application/json": { schema: HealthBody } }, description: "Healthy or degraded" },
    503: { content: { "application/json": { schema: HealthBody } }, description: "A critical component is down" },
  },
});

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Root"],
  summary: "Métriques Prometheus",
  description: "Prometheus text exposition (0.0.4). System-wide counts, no per-organisation data.",
  responses: {
    200: {
      content: { "text/plain": { schema: z.string().openapi({ example: "minibot_calls_active 12" }) } },
      description: "Metrics",
    },
  },
});

/** `/`, `/health` and `/metrics`: public. */
export function registerSystemRoutes(app: MiniBotPanelApp): void {
  app.openapi(rootRoute, (c) =>
    c.json(
      {
        name: "MiniBotPanel v3 API",
        version: "3.0.0",
        status: "running" as const,
        uptime: uptime(uptimeMs()),
        documentation: { swagger: "/docs", redoc: "/redoc", openapi: "/openapi.json" },
        endpoints: {
          campaigns: "/api/campaigns",
          statistics: "/api/stats",
          exports: "/api/exports",
          graphql: "/graphql",
        },
      },
      200,
    ),
  );

  app.openapi(healthRoute, async (c) => {
    const report = await checkHealth({
      db: () => c.var.database.db,
      mediaNodeUrl: c.var.env.MEDIA_NODE_URL,
      llmBaseUrl: c.var.env.LLM_BASE_URL,
      logFailure: (component, error) =>
        console.error(JSON.stringify({ requestId: c.var.requestId, health: component, error: String(error) })),
    });
    const body = { status: report.status, timestamp: legacyTimestamp(report.checkedAt), components: report.components };
    const headers = { "Cache-Control": "no-store" };
    return httpStatusOf(report.status) === 503 ? c.json(body, 503, headers) : c.json(body, 200, headers);
  });

  app.openapi(metricsRoute, async (c) => {
    const text = await renderMetrics(
      () => c.var.database.db,
      (error) => console.error(JSON.stringify({ requestId: c.var.requestId, metrics: String(error) })),
    );
    return c.text(text, 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE, "Cache-Control": "no-store" });
  });
}
