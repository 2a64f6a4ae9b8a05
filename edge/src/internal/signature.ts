import type { DigestStream } from "@cloudflare/workers-types/latest";
import {
  bodyDigestHex,
  INTERNAL_CONTENT_SHA256_HEADER,
  INTERNAL_SIGNATURE_HEADER,
  INTERNAL_TIMESTAMP_HEADER,
  toHex,
  verifyInternalRequest,
} from "@switchboard/schema";
import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "../http/app-types.js";
import { ApiError } from "../http/errors.js";

/**
 * Only the media node may call the internal API: every request is signed with INTERNAL_API_SECRET
 * (see schema/src/internal-signature.ts). Without a secret the API is off rather than open.
 *
 * A PUT is an upload (a recording, up to hundreds of MB): its signature covers the SHA-256 declared in
 * x-switchboard-content-sha256, and the body is checked against that digest while the handler streams it
 * (the body errors at its end on a mismatch, so nothing built from it can complete). Other requests are small:
 * their body is read and hashed here.
 */
export const requireInternalSignature: MiddlewareHandler<AppBindings> = async (c, next) => {
  const secret = c.var.env.INTERNAL_API_SECRET;
  if (!secret) {
    throw new ApiError("INTERNAL_API_DISABLED", 503, "The internal API is not configured (INTERNAL_API_SECRET)");
  }
  const url = new URL(c.req.url);
  const declaredSha256 = c.req.header(INTERNAL_CONTENT_SHA256_HEADER)?.toLowerCase();
  const streamed = c.req.method === "PUT";
  if (streamed && !declaredSha256) throw invalidSignature(`An upload must declare ${INTERNAL_CONTENT_SHA256_HEADER}`);
  // Hono caches the body, so the handler can read it again.
  const body = streamed ? null : new Uint8Array(await c.req.arrayBuffer());
  const bodySha256 = body ? await bodyDigestHex(body) : declaredSha256;
  if (declaredSha256 && declaredSha256 !== bodySha256) throw invalidSignature("The body does not match its SHA-256");
  const check = await verifyInternalRequest({
    secret,
    method: c.req.method,
    path: `${url.pathname}${url.search}`,
    ...(bodySha256 ? { bodySha256 } : {}),
    timestamp: c.req.header(INTERNAL_TIMESTAMP_HEADER),
    signature: c.req.header(INTERNAL_SIGNATURE_HEADER),
  });
  if (!check.ok) throw invalidSignature(check.message);
  if (streamed && declaredSha256) c.req.raw = withBodyDigestCheck(c.req.raw, declaredSha256);
  await next();
};

function invalidSignature(message: string): ApiError {
  return new ApiError("INVALID_SIGNATURE", 401, message);
}

/**
 * The same request, whose body stream errors at its end unless its SHA-256 is `expectedSha256`. The last chunk
 * is held back until the digest matches, so a consumer that needs every byte (R2 with a known length) never
 * completes with a body that fails the check.
 */
function withBodyDigestCheck(request: Request, expectedSha256: string): Request {
  if (!request.body) return request;
  const digest = new (workerdCrypto().DigestStream)("SHA-256");
  const digestWriter = digest.getWriter();
  let heldBack: Uint8Array | null = null;
  const checked = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        await digestWriter.write(chunk.slice());
        if (heldBack) controller.enqueue(heldBack);
        heldBack = chunk;
      },
      async flush(controller) {
        await digestWriter.close();
        const actual = toHex(new Uint8Array(await digest.digest));
        if (actual !== expectedSha256) throw invalidSignature("The body does not match its signed SHA-256");
        if (heldBack) controller.enqueue(heldBack);
      },
    }),
  );
  return new Request(request, { body: checked });
}

/** workerd's crypto, which has DigestStream (a streaming SHA-256); the global `crypto` here is typed as Node's. */
function workerdCrypto(): { DigestStream: typeof DigestStream } {
  return crypto as unknown as { DigestStream: typeof DigestStream };
}
