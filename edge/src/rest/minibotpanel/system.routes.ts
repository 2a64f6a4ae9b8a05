import { uptime } from "./format.js";
import type { MiniBotPanelApp } from "./surface.js";

const startedAt = Date.now();

/** `/`, `/health` and `/metrics`: public. */
export function registerSystemRoutes(app: MiniBotPanelApp): void {
  app.get("/", (c) =>
    c.json({
      name: "MiniBotPanel v3 API",
      version: "3.0.0",
      status: "running",
      uptime: uptime(Date.now() - startedAt),
      documentation: { swagger: "/docs", redoc: "/redoc", openapi: "/openapi.json" },
      endpoints: {
        campaigns: "/api/campaigns",
        statistics: "/api/stats",
        exports: "/api/exports",
        graphql: "/graphql",
      },
    }),
  );
}
