import { describe, expect, it } from "vitest";
import { readMediaNodeEnv } from "./env.js";
import { createMediaNodeApp } from "./server.js";

describe("media node", () => {
  it("answers /health with its status, uptime and what it knows about speech", async () => {
    let clock = 1_000;
    const app = createMediaNodeApp({ now: () => clock });
    clock += 4_500;

    const response = await app.request("/health");

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "ok",
      service: "media-node",
      uptime_seconds: 4,
      speech: {
        status: "unknown",
        asr: "jambonz",
        tts: "jambonz",
        detail: "not verified: the media node has no jambonz connection yet",
      },
    });
  });

  it("reports the speech status it is given", async () => {
    const app = createMediaNodeApp({ speech: () => ({ status: "unhealthy", asr: "jambonz", tts: "jambonz" }) });

    const body = (await (await app.request("/health")).json()) as { speech: unknown };

    expect(body.speech).toEqual({ status: "unhealthy", asr: "jambonz", tts: "jambonz" });
  });

  it("answers 404 for unknown paths", async () => {
    const response = await createMediaNodeApp().request("/nope");
    expect(response.status).toBe(404);
  });

  it("reads its configuration with defaults", () => {
    expect(readMediaNodeEnv({})).toEqual({ MEDIA_NODE_PORT: 8790, EDGE_URL: "http://127.0.0.1:8000" });
    expect(readMediaNodeEnv({ MEDIA_NODE_PORT: "9000", EDGE_URL: "http://edge.test" }).MEDIA_NODE_PORT).toBe(9000);
    expect(() => readMediaNodeEnv({ MEDIA_NODE_PORT: "nope" })).toThrow(/MEDIA_NODE_PORT/);
  });
});
