import { INTERNAL_SIGNATURE_HEADER, INTERNAL_TIMESTAMP_HEADER, verifyInternalRequest } from "@switchboard/schema";
import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "../http/app-types.js";
import { ApiError } from "../http/errors.js";

/**
 * Only the media node may call the internal API: every request is signed with INTERNAL_API_SECRET
 * (see schema/src/internal-signature.ts). Without a secret the API is off rather than open.
 */
export const requireInternalSignature: MiddlewareHandler<AppBindings> = async (c, next) => {
  const secret = c.var.env.INTERNAL_API_SECRET;
  if (!secret) {
    throw new ApiError("INTERNAL_API_DISABLED", 503, "The internal API is not configured (INTERNAL_API_SECRET)");
  }
  const url = new URL(c.req.url);
  const check = await verifyInternalRequest({
    secret,
    method: c.req.method,
    path: `${url.pathname}${url.search}`,
    // Hono caches the body, so the handler can read it again.
    body: new Uint8Array(await c.req.arrayBuffer()),
    timestamp: c.req.header(INTERNAL_TIMESTAMP_HEADER),
    signature: c.req.header(INTERNAL_SIGNATURE_HEADER),
  });
  if (!check.ok) throw new ApiError("INVALID_SIGNATURE", 401, check.message);
  await next();
};
