import { createRoute, z } from "@hono/zod-openapi";
import { checkReadiness } from "../../ops/readiness.js";
import { voiceEraTimestamp } from "./format.js";
import { json } from "./schemas.js";
import type { VoiceEraApp } from "./surface.js";

const tags = ["VoiceERA: Health"];

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags,
  summary: "Health Check",
  description: "The worker answers. Served at /voiceera/health; the root /health is MiniBotPanel's component report.",
  responses: {
    200: json(z.object({ status: z.literal("ok"), timestamp: z.string() }).openapi("VoiceEraHealth"), "Up"),
  },
});

const Readiness = z
  .object({
    database: z.enum(["ok", "error"]),
    storage: z.enum(["ok", "error"]),
    cache: z.enum(["ok", "error"]),
  })
  .openapi("VoiceEraReadiness");

const readinessRoute = createRoute({
  method: "get",
  path: "/readiness",
  tags,
  summary: "Readiness",
  description: "Database (`select 1`), storage (R2) and cache (Cache API), each within 1.5 s; 503 when one fails.",
  responses: { 200: json(Readiness, "Ready"), 503: json(Readiness, "Not ready") },
});

export function registerSystemRoutes(app: VoiceEraApp, options: { withHealth: boolean }): void {
  if (options.withHealth) {
    app.openapi(healthRoute, (c) =>
      c.json({ status: "ok" as const, timestamp: voiceEraTimestamp(new Date()) }, 200, { "Cache-Control": "no-store" }),
    );
  }

  app.openapi(readinessRoute, async (c) => {
    const report = await checkReadiness({
      db: () => c.var.database.db,
      bucket: c.var.env.RECORDINGS,
      logFailure: (component, error) =>
        console.error(JSON.stringify({ requestId: c.var.requestId, readiness: component, error: String(error) })),
    });
    const body = { database: report.database, storage: report.storage, cache: report.cache };
    const headers = { "Cache-Control": "no-store" };
    return report.ready ? c.json(body, 200, headers) : c.json(body, 503, headers);
  });
}
