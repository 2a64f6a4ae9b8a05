import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppBindings } from "../../http/app-types.js";
import type { RateLimitRule } from "../../http/rate-limit.js";
import { meubleError, payloadTooLarge } from "./errors.js";

const MB = 1024 * 1024;
export const MAX_BODY_MB = 5;
export const MAX_UPLOAD_MB = 10;
/** Multipart framing (boundaries, part headers, the description) on top of a 10 MB file. */
const MULTIPART_SLACK_BYTES = 64 * 1024;
export const REQUEST_TIMEOUT_SECONDS = 30;
export const UPLOAD_TIMEOUT_SECONDS = 60;

/** The document's limits per minute, keyed by user, else client IP (LEGACY-NOTES). */
export const MEUBLE_RATE_LIMITS = {
  login: { name: "meuble-login", limit: 5, windowSeconds: 60 },
  chat: { name: "meuble-chat", limit: 100, windowSeconds: 60 },
  upload: { name: "meuble-upload", limit: 10, windowSeconds: 60 },
  general: { name: "meuble", limit: 100, windowSeconds: 60 },
} as const satisfies Record<string, RateLimitRule>;

/** 413 in the Meuble envelope: 5 MB for every request, 10 MB (the file) for uploads. */
export function meubleBodyLimit(maxMb: number, slackBytes = 0): MiddlewareHandler<AppBindings> {
  return bodyLimit({
    maxSize: maxMb * MB + slackBytes,
    onError: () => {
      throw payloadTooLarge(maxMb);
    },
  });
}

export const uploadBodyLimit = meubleBodyLimit(MAX_UPLOAD_MB, MULTIPART_SLACK_BYTES);
export const defaultBodyLimit = meubleBodyLimit(MAX_BODY_MB);

/**
 * 504 once a request has run `seconds` (30 s, 60 s for uploads). The handler's work is abandoned, not cancelled:
 * a Worker cannot interrupt a pending promise, but the client gets its answer on time.
 */
export function timeoutAfter(seconds: number): MiddlewareHandler<AppBindings> {
  return async (_c, next) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(meubleError("gateway_timeout", 504, `Request exceeded maximum processing time of ${seconds}s`)),
        seconds * 1000,
      );
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
