import type { WebhookConfig } from "./config.js";
import { SIGNATURE_HEADER, signatureHeader } from "./signature.js";
import { checkWebhookTarget } from "./target.js";

/** A receiver gets this long to answer before the attempt counts as failed. */
export const SEND_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer the delivery log keeps. */
const KEPT_RESPONSE_CHARS = 1_000;

export type SendRequest = { url: string; secret: string; event: string; deliveryId: string; body: string };

export type SendOutcome = {
  ok: boolean;
  /** A refused target is never retried. */
  permanent: boolean;
  status: number | null;
  response: string | null;
  error: string | null;
};

/**
 * One signed POST to a receiver. The target is checked again (the allow-list may have changed since registration),
 * redirects are not followed (a redirect could lead to an internal address), and nothing here throws.
 */
export async function sendSigned(request: SendRequest, config: WebhookConfig): Promise<SendOutcome> {
  const target = checkWebhookTarget(request.url, config.allowList);
  if (!target.ok) return failure(`refused target: ${target.reason}`, true);
  try {
    const response = await fetch(target.url, {
      method: "POST",
      redirect: "manual",
      headers: await deliveryHeaders(request),
      body: request.body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const text = await responsePrefix(response);
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      permanent: false,
      status: response.status,
      response: text,
      error: ok ? null : `HTTP ${response.status}`,
    };
  } catch (error) {
    return failure(error instanceof Error ? `${error.name}: ${error.message}` : String(error), false);
  }
}

/** The start of the receiver's answer, read no further than kept: a receiver could answer gigabytes. */
async function responsePrefix(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < KEPT_RESPONSE_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
  } catch {
    // A broken answer body does not change the status the receiver already gave.
  }
  return text.slice(0, KEPT_RESPONSE_CHARS);
}

async function deliveryHeaders(request: SendRequest): Promise<Record<string, string>> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    "content-type": "application/json",
    "user-agent": "Switchboard-Webhooks/1",
    "x-switchboard-event": request.event,
    "x-switchboard-delivery": request.deliveryId,
    "x-switchboard-timestamp": String(timestamp),
    [SIGNATURE_HEADER]: await signatureHeader(request.secret, timestamp, request.body),
  };
}

function failure(error: string, permanent: boolean): SendOutcome {
  return { ok: false, permanent, status: null, response: null, error };
}
