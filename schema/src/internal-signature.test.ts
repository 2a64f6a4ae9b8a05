import { describe, expect, it } from "vitest";
import {
  INTERNAL_SIGNATURE_HEADER,
  INTERNAL_TIMESTAMP_HEADER,
  signInternalRequest,
  verifyInternalRequest,
} from "./internal-signature.js";

const secret = "a-test-secret-that-is-long-enough-for-the-edge";
const path = "/internal/v1/calls/0b8e5c3a-6a4e-4a4c-9f0e-2f1c1f7f7c11/recording";
const body = new Uint8Array([82, 73, 70, 70, 1, 2, 3]);
const now = new Date("2025-01-15T14:10:00Z");

async function signed(overrides: { secret?: string; now?: Date } = {}) {
  const headers = await signInternalRequest({
    secret: overrides.secret ?? secret,
    method: "PUT",
    path,
    body,
    now: overrides.now ?? now,
  });
  return { timestamp: headers[INTERNAL_TIMESTAMP_HEADER], signature: headers[INTERNAL_SIGNATURE_HEADER] };
}

describe("internal request signatures", () => {
  it("accepts what it signed, with the same secret, method, path and body", async () => {
    const headers = await signed();
    expect(headers.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(headers.timestamp).toBe(String(now.getTime() / 1000));
    await expect(verifyInternalRequest({ secret, method: "put", path, body, ...headers, now })).resolves.toEqual({
      ok: true,
    });
  });

  it("accepts the same body given as an ArrayBuffer or a view into a larger buffer", async () => {
    const headers = await signed();
    const larger = new Uint8Array([9, 9, ...body, 9]);
    const view = larger.subarray(2, 2 + body.length);
    for (const sameBody of [body.slice().buffer, view]) {
      const check = await verifyInternalRequest({ secret, method: "PUT", path, body: sameBody, ...headers, now });
      expect(check.ok).toBe(true);
    }
  });

  it("refuses a changed body, path, method or secret", async () => {
    const headers = await signed();
    const variants = [
      { secret, method: "PUT", path, body: new Uint8Array([82, 73, 70, 70, 1, 2, 4]) },
      { secret, method: "PUT", path: `${path}x`, body },
      { secret, method: "POST", path, body },
      { secret: `${secret}!`, method: "PUT", path, body },
    ];
    for (const variant of variants) {
      const check = await verifyInternalRequest({ ...variant, ...headers, now });
      expect(check).toMatchObject({ ok: false, reason: "mismatch" });
    }
  });

  it("refuses missing, malformed and stale headers", async () => {
    const headers = await signed();
    const base = { secret, method: "PUT", path, body, now };
    expect(await verifyInternalRequest({ ...base, timestamp: null, signature: headers.signature })).toMatchObject({
      reason: "missing",
    });
    expect(await verifyInternalRequest({ ...base, timestamp: headers.timestamp, signature: "" })).toMatchObject({
      reason: "missing",
    });
    expect(
      await verifyInternalRequest({ ...base, timestamp: headers.timestamp, signature: "sha256=abc" }),
    ).toMatchObject({ reason: "malformed" });
    expect(
      await verifyInternalRequest({ ...base, timestamp: "yesterday", signature: headers.signature }),
    ).toMatchObject({ reason: "malformed" });
    const sixMinutesLater = new Date(now.getTime() + 6 * 60_000);
    expect(await verifyInternalRequest({ ...base, ...headers, now: sixMinutesLater })).toMatchObject({
      reason: "stale",
    });
    const fourMinutesLater = new Date(now.getTime() + 4 * 60_000);
    expect(await verifyInternalRequest({ ...base, ...headers, now: fourMinutesLater })).toEqual({ ok: true });
  });
});
