import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppBindings } from "../../http/app-types.js";
import { renderMeubleError } from "./errors.js";
import { meubleBodyLimit, timeoutAfter } from "./limits.js";

/** The surface's own limits on a bare app: the worker-level tests cannot wait 30 s for a 504. */
function app() {
  const app = new Hono<AppBindings>();
  app.use(async (c, next) => {
    c.set("requestId", "req_test");
    await next();
  });
  app.onError((error, c) => renderMeubleError(c, error));
  app.post("/slow", timeoutAfter(0.05), async (c) => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    return c.json({ late: true });
  });
  app.post("/fast", timeoutAfter(1), (c) => c.json({ ok: true }));
  app.post("/small", meubleBodyLimit(0.001), async (c) => c.json({ bytes: (await c.req.text()).length }));
  return app;
}

describe("Meuble limits", () => {
  it("a request past its time is 504 gateway_timeout in the envelope", async () => {
    const response = await app().request("/slow", { method: "POST" });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({
      success: false,
      error: "gateway_timeout",
      detail: "Request exceeded maximum processing time of 0.05s",
      request_id: "req_test",
    });
    expect((await app().request("/fast", { method: "POST" })).status).toBe(200);
  });

  it("a body past the limit is 413 payload_too_large", async () => {
    const response = await app().request("/small", { method: "POST", body: "x".repeat(2000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ success: false, error: "payload_too_large" });
    expect((await app().request("/small", { method: "POST", body: "x".repeat(100) })).status).toBe(200);
  });
});
