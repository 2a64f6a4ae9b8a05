import { type PlaceCallRequest, placeCallResponse, signInternalRequest } from "@switchboard/schema";
import { type DialOutcome, isPermanentRejection } from "./plan.js";

export const PLACE_CALL_PATH = "/internal/v1/calls";
/** The media node answers once jambonz has the call; a slower answer is treated as a refusal. */
const PLACE_CALL_TIMEOUT_MS = 10_000;

export type MediaNodeTarget = {
  baseUrl: string;
  secret: string;
  fetch?: typeof fetch;
};

/**
 * Asks the media node to place one dial, signed like every internal request. Never throws: every failure
 * becomes a refusal the dialer knows how to handle.
 */
export async function placeCall(target: MediaNodeTarget, request: PlaceCallRequest): Promise<DialOutcome> {
  const body = JSON.stringify(request);
  const url = new URL(PLACE_CALL_PATH, target.baseUrl);
  try {
    const signature = await signInternalRequest({ secret: target.secret, method: "POST", path: url.pathname, body });
    const response = await (target.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...signature },
      body,
      signal: AbortSignal.timeout(PLACE_CALL_TIMEOUT_MS),
    });
    return await outcomeOf(response, request.call_id);
  } catch (error) {
    return { kind: "refused", reason: `media node unreachable: ${String(error)}`.slice(0, 200) };
  }
}

async function outcomeOf(response: Response, callId: string): Promise<DialOutcome> {
  const text = await response.text();
  if (!response.ok) {
    const reason = `media node answered ${response.status}: ${text}`.slice(0, 200);
    return isPermanentRejection(response.status) ? { kind: "rejected", reason } : { kind: "refused", reason };
  }
  const parsed = placeCallResponse.safeParse(safeJson(text));
  // Accepted is accepted: dialling again could ring the contact twice, so a malformed answer only loses the sid.
  if (!parsed.success || parsed.data.call_id !== callId) return { kind: "placed", jambonzCallSid: null };
  return { kind: "placed", jambonzCallSid: parsed.data.jambonz_call_sid };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
