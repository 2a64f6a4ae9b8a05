import { describe, expect, it } from "vitest";
import { DOWNLOAD_LINK_SECONDS, signDownloadToken, verifyDownloadToken } from "./download-link.js";

const secret = "a-test-secret-that-is-long-enough-for-hs256";
const grant = { orgId: crypto.randomUUID(), callId: crypto.randomUUID() };

describe("recording download links", () => {
  it("grant the call they were signed for until they expire", async () => {
    const { token, expiresAt } = await signDownloadToken(secret, grant);
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(DOWNLOAD_LINK_SECONDS * 1000);
    await expect(verifyDownloadToken(secret, token, grant.callId)).resolves.toEqual(grant);
  });

  it("refuse an expired token as expired", async () => {
    const signedAt = new Date(Date.now() - (DOWNLOAD_LINK_SECONDS + 60) * 1000);
    const { token } = await signDownloadToken(secret, grant, signedAt);
    await expect(verifyDownloadToken(secret, token, grant.callId)).rejects.toThrow("Token expired");
  });

  it("refuse a token for another call, from another key, or altered", async () => {
    const { token } = await signDownloadToken(secret, grant);
    await expect(verifyDownloadToken(secret, token, crypto.randomUUID())).rejects.toThrow("Token invalid");
    await expect(verifyDownloadToken(`${secret}-other`, token, grant.callId)).rejects.toThrow("Token invalid");
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, org: crypto.randomUUID() })).toString("base64url");
    await expect(verifyDownloadToken(secret, `${header}.${forged}.${signature}`, grant.callId)).rejects.toThrow(
      "Token invalid",
    );
  });
});
