import { signInternalRequest, verifyInternalRequest } from "@switchboard/schema/internal-signature";
import { describe, expect, it } from "vitest";
import { nodeSignatureCrypto } from "./node-signature.js";

const secret = "node-signature-test-secret-long-enough";
const request = { secret, method: "POST", path: "/internal/v1/calls/abc/turn", body: '{"attempt":1}' };
const now = new Date("2026-11-24T03:00:00Z");

describe("node:crypto signatures for the internal API", () => {
  it("signs exactly as WebCrypto does, so the edge (WebCrypto) accepts the media node's requests", async () => {
    const byNode = await signInternalRequest({ ...request, now }, nodeSignatureCrypto);
    expect(byNode).toEqual(await signInternalRequest({ ...request, now }));
  });

  it("accepts WebCrypto's signatures and refuses a changed body or secret", async () => {
    const headers = await signInternalRequest({ ...request, now });
    const signed = { timestamp: headers["x-switchboard-timestamp"], signature: headers["x-switchboard-signature"] };
    const check = (changes: Partial<typeof request>) =>
      verifyInternalRequest({ ...request, ...changes, ...signed, now }, nodeSignatureCrypto);
    expect(await check({})).toEqual({ ok: true });
    expect(await check({ body: '{"attempt":2}' })).toMatchObject({ ok: false, reason: "mismatch" });
    expect(await check({ secret: `${secret}!` })).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it("signs a recording-sized body (hashed off the event loop) as WebCrypto does", async () => {
    const recording = { ...request, body: new Uint8Array(1024 * 1024).fill(7), now };
    expect(await signInternalRequest(recording, nodeSignatureCrypto)).toEqual(await signInternalRequest(recording));
  });
});
