import { Hono } from "hono";

/** The media node's HTTP surface. Uptime counts from the app's creation, not the process's. */
export function createMediaNodeApp(options: { now?: () => number } = {}): Hono {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const app = new Hono();
  app.get("/health", (c) =>
    c.json({ status: "ok", service: "media-node", uptime_seconds: Math.floor((now() - startedAt) / 1000) }),
  );
  return app;
}
