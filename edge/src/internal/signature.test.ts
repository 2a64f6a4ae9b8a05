import { signInternalRequest } from "@switchboard/schema";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../env.js";
import type { AppBindings } from "../http/app-types.js";
import { ApiError } from "../http/errors.js";
import { requireInternalSignature } from "./signature.js";

const SECRET = "internal-secret-for-unit-tests-0123456789";

/** The middleware in front of a handler that echoes the body it reads after verification. */
function appWith(secret: string | undefined): Hono<AppBindings> {
  const app = new Hono<AppBindings>();
  app.onError((error, c) => {
    const apiError = ApiError.from(error);
    return c.json({ code: apiError.code }, apiError.status);
  });
  app.use(async (c, next) => {
    c.set("env", { INTERNAL_API_SECRET: secret } as AppEnv);
    await next();
  });
  app.use(requireInternalSignature);
  app.post("/internal/v1/echo", async (c) => c.text(await c.req.text()));
  app.put("/internal/v1/upload", (c) => c.text("stored"));
  return app;
}

async function signedPost(app: Hono<AppBindings>, target: string, body: string, signedTarget = target) {
  const headers = await signInternalRequest({ secret: SECRET, method: "POST", path: signedTarget, body });
  return app.request(target, { method: "POST", headers, body });
}

describe("requireInternalSignature", () => {
  it("lets a signed request through, and the handler can still read the body", async () => {
    const response = await signedPost(appWith(SECRET), "/internal/v1/echo", "hello");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("hello");
  });

  it("signs the query string too", async () => {
    const app = appWith(SECRET);
    expect((await signedPost(app, "/internal/v1/echo?a=1", "x")).status).toBe(200);
    expect((await signedPost(app, "/internal/v1/echo?a=2", "x", "/internal/v1/echo?a=1")).status).toBe(401);
  });

  it("refuses an unsigned request with 401", async () => {
    const response = await appWith(SECRET).request("/internal/v1/echo", { method: "POST", body: "hello" });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: "INVALID_SIGNATURE" });
  });

  it("refuses a body whose declared SHA-256 is not its own", async () => {
    const headers = await signInternalRequest({ secret: SECRET, method: "POST", path: "/internal/v1/echo", body: "a" });
    const response = await appWith(SECRET).request("/internal/v1/echo", { method: "POST", headers, body: "b" });
    expect(response.status).toBe(401);
  });

  it("refuses an upload (PUT) that does not declare its SHA-256, before reading it", async () => {
    const path = "/internal/v1/upload";
    const { "x-switchboard-content-sha256": _declared, ...headers } = await signInternalRequest({
      secret: SECRET,
      method: "PUT",
      path,
      body: "audio",
    });
    const response = await appWith(SECRET).request(path, { method: "PUT", headers, body: "audio" });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: "INVALID_SIGNATURE" });
  });

  it("is switched off (503) when no secret is configured, even for a signed request", async () => {
    const response = await signedPost(appWith(undefined), "/internal/v1/echo", "hello");
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ code: "INTERNAL_API_DISABLED" });
  });
});
