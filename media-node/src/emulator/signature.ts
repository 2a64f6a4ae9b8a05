import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * jambonz's webhook signature (feature-server base-requestor `_generateSigHeader`):
 * `Jambonz-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, body being the exact JSON sent.
 * @jambonz/sdk's `WebhookResponse.verifySignature` checks exactly this.
 */
export const SIGNATURE_HEADER = "Jambonz-Signature";

export function signWebhookBody(secret: string, body: string, nowMs: number = Date.now()): string {
  const timestamp = Math.floor(nowMs / 1000);
  const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

/** The verifier the fake apps in tests use; mirrors the SDK's rules (5-minute tolerance). */
export function isValidWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowMs: number = Date.now(),
): boolean {
  if (!header) return false;
  const fields = header.split(",").map((part) => part.split("="));
  const timestamp = fields.find(([key]) => key === "t")?.[1];
  const signatures = fields.filter(([key]) => key === "v1").map(([, value]) => value ?? "");
  if (!timestamp || signatures.length === 0) return false;
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex"));
  return signatures.some((signature) => {
    const candidate = Buffer.from(signature);
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  });
}
