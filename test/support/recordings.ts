import { inject } from "vitest";
import { signInternalRequest } from "../../schema/src/internal-signature.js";
import { type RestResponse, rest } from "./http.js";

export function recordingPath(callId: string): string {
  return `/internal/v1/calls/${callId}/recording`;
}

/**
 * PUT /internal/v1/calls/{id}/recording, signed as the media node signs it. The options spoil the request
 * for the refusal tests: another secret, a signature over another body or time, extra or replaced headers.
 */
export async function uploadRecording(
  callId: string,
  body: Uint8Array,
  options: { headers?: Record<string, string>; secret?: string; now?: Date; signedBody?: Uint8Array } = {},
): Promise<RestResponse> {
  const path = recordingPath(callId);
  const signature = await signInternalRequest({
    secret: options.secret ?? inject("internalApiSecret"),
    method: "PUT",
    path,
    body: options.signedBody ?? body,
    ...(options.now ? { now: options.now } : {}),
  });
  return rest("PUT", path, {
    headers: { "content-type": "audio/wav", ...signature, ...options.headers },
    rawBody: body,
  });
}
