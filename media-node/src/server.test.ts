import { describe, expect, it } from "vitest";
import { readMediaNodeEnv } from "./env.js";
import { createMediaNodeApp } from "./server.js";

describe("media node", () => {
  it("answers /health with its status and uptime", async () => {
    let clock = 1_000;
    const app = createMediaNodeApp({ now: () => clock });
    clock += 4_500;

    const response = await app.request("/health");

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", service: "media-node", uptime_seconds: 4 });
  });

  it("answers 404 for unknown paths", async () => {
    const response = await createMediaNodeApp().request("/nope");
    expect(response.status).toBe(404);
  });

  it("reads its configuration with defaults", () => {
    expect(readMediaNodeEnv({})).toEqual({ MEDIA_NODE_PORT: 8790, EDGE_URL: "http://127.0.0.1:8787" });
    expect(readMediaNodeEnv({ MEDIA_NODE_PORT: "9000", EDGE_URL: "http://edge.test" }).MEDIA_NODE_PORT).toBe(9000);
    expect(() => readMediaNodeEnv({ MEDIA_NODE_PORT: "nope" })).toThrow(/MEDIA_NODE_PORT/);
  });
});
