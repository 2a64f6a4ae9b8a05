import { WebhookResponse } from "@jambonz/sdk/webhook";

export type JambonzSignatureCheck = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** The SDK's own tolerance (seconds between the hook's `t=` and our clock). */
const TOLERANCE_SECONDS = 300;

/**
 * Checks `Jambonz-Signature: t=<ts>,v1=<hex hmac-sha256("<ts>.<raw body>")>` by running the SDK's
 * verifier (written as Express middleware) on a minimal request: the raw body is passed as a string,
 * which the SDK signs as is, so the check covers the exact bytes jambonz sent.
 */
export function verifyJambonzSignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
): JambonzSignatureCheck {
  if (!header) return { ok: false, status: 401, message: "Missing Jambonz-Signature header" };
  const middleware = WebhookResponse.verifySignature(secret, { tolerance: TOLERANCE_SECONDS });
  let failure: Error | undefined;
  let passed = false;
  const request = { headers: { "jambonz-signature": header }, body: rawBody };
  middleware(
    request as never,
    {} as never,
    ((error?: unknown) => {
      if (error) failure = error instanceof Error ? error : new Error(String(error));
      else passed = true;
    }) as never,
  );
  if (passed && !failure) return { ok: true };
  return { ok: false, status: 403, message: failure?.message ?? "Webhook signature verification failed" };
}
