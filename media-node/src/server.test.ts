import { describe, expect, it } from "vitest";
import { EMULATOR_DEFAULTS } from "./emulator/config.js";
import { readMediaNodeEnv } from "./env.js";
import { createMediaNodeApp } from "./server.js";

// The media node's defaults are the local emulator's credentials, so `npm start` needs no setup.
const EMULATOR_DEFAULTS_URL = `http://127.0.0.1:${EMULATOR_DEFAULTS.port}`;

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
    expect(readMediaNodeEnv({})).toEqual({
      MEDIA_NODE_PORT: 8790,
      EDGE_URL: "http://127.0.0.1:8000",
      PUBLIC_URL: "http://127.0.0.1:8790",
      JAMBONZ_API_URL: EMULATOR_DEFAULTS_URL,
      JAMBONZ_ACCOUNT_SID: EMULATOR_DEFAULTS.accountSid,
      JAMBONZ_API_KEY: EMULATOR_DEFAULTS.apiKey,
      JAMBONZ_WEBHOOK_SECRET: EMULATOR_DEFAULTS.webhookSecret,
      JAMBONZ_FROM: "+15005550006",
      MEDIA_NODE_OUTBOX: ".data/media-node-outbox.jsonl",
      MEDIA_NODE_WS_PORT: 8791,
      PUBLIC_WS_URL: "ws://127.0.0.1:8791",
      JAMBONZ_WS_USERNAME: "jambonz",
      JAMBONZ_HOOK_TRANSPORT: "webhook",
    });
    expect(readMediaNodeEnv({ MEDIA_NODE_PORT: "9000", PUBLIC_URL: "https://media.example.com/" }).PUBLIC_URL).toBe(
      "https://media.example.com",
    );
    expect(readMediaNodeEnv({ MEDIA_NODE_PORT: "9000" }).PUBLIC_URL).toBe("http://127.0.0.1:9000");
    expect(readMediaNodeEnv({ MEDIA_NODE_PORT: "9000", EDGE_URL: "http://edge.test" }).MEDIA_NODE_PORT).toBe(9000);
    expect(() => readMediaNodeEnv({ MEDIA_NODE_PORT: "nope" })).toThrow(/MEDIA_NODE_PORT/);
  });
});
