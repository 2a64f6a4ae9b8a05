import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signatureHeader } from "./signature.js";

describe("webhook signature", () => {
  it("is t=<seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>, as any HMAC library computes it", async () => {
    const body = '{"event":"order_completed","timestamp":"2025-10-22T09:00:00Z","data":{}}';
    const expected = createHmac("sha256", "whsec_test").update(`1761123600.${body}`).digest("hex");
    expect(await signatureHeader("whsec_test", 1761123600, body)).toBe(`t=1761123600,v1=${expected}`);
  });

  it("changes with the body, the timestamp and the secret", async () => {
    const base = await signatureHeader("whsec_a", 1, "{}");
    expect(await signatureHeader("whsec_a", 1, "{ }")).not.toBe(base);
    expect(await signatureHeader("whsec_a", 2, "{}")).not.toBe(base);
    expect(await signatureHeader("whsec_b", 1, "{}")).not.toBe(base);
  });

  it("makes a new 32-byte secret each time", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(secret);
  });
});
