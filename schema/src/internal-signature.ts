/**
 * Signing of the internal API between the media node and the edge (HMAC-SHA256 over WebCrypto,
 * so the same code runs in workerd and in Node 20).
 *
 * The signed string is `${timestamp}.${METHOD}.${path}.${hex sha256(body)}`, where `path` is the
 * request's path and query (`/internal/v1/calls/…/recording`) and `timestamp` is Unix seconds.
 * The signature header carries `v1=<hex hmac>`; the version prefix leaves room for rotation.
 * The body's hex SHA-256 also travels in `x-switchboard-content-sha256`, so a receiver can check the
 * signature before reading the body and verify the body against that digest while it streams (recordings).
 */

export const INTERNAL_TIMESTAMP_HEADER = "x-switchboard-timestamp";
export const INTERNAL_SIGNATURE_HEADER = "x-switchboard-signature";
/** Hex SHA-256 of the body the signature covers. */
export const INTERNAL_CONTENT_SHA256_HEADER = "x-switchboard-content-sha256";
/** How far a request's timestamp may be from the verifier's clock, either way. */
export const INTERNAL_SIGNATURE_TOLERANCE_SECONDS = 300;

const SIGNATURE_VERSION = "v1";

export type SignedRequest = {
  secret: string;
  method: string;
  /** Path and query of the request, e.g. `/internal/v1/calls/abc/recording`. */
  path: string;
  body?: Uint8Array | ArrayBuffer | string | null;
  /** The body's hex SHA-256 when the body itself is not at hand (verified while it streams); wins over `body`. */
  bodySha256?: string;
};

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch"; message: string };

const encoder = new TextEncoder();
const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** The headers to send with a request to the internal API. */
export async function signInternalRequest(
  request: SignedRequest & { now?: Date },
): Promise<
  Record<
    typeof INTERNAL_TIMESTAMP_HEADER | typeof INTERNAL_SIGNATURE_HEADER | typeof INTERNAL_CONTENT_SHA256_HEADER,
    string
  >
> {
  const timestamp = String(Math.floor((request.now ?? new Date()).getTime() / 1000));
  const bodySha256 = request.bodySha256 ?? (await bodyDigestHex(request.body));
  const key = await hmacKey(request.secret, "sign");
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(signedString(request, timestamp, bodySha256)));
  return {
    [INTERNAL_TIMESTAMP_HEADER]: timestamp,
    [INTERNAL_SIGNATURE_HEADER]: `${SIGNATURE_VERSION}=${toHex(new Uint8Array(mac))}`,
    [INTERNAL_CONTENT_SHA256_HEADER]: bodySha256,
  };
}

/** Checks the headers of a received request; the comparison is WebCrypto's constant-time verify. */
export async function verifyInternalRequest(
  request: SignedRequest & { timestamp: string | null | undefined; signature: string | null | undefined; now?: Date },
): Promise<SignatureCheck> {
  if (!request.timestamp || !request.signature) {
    return { ok: false, reason: "missing", message: "Missing signature headers" };
  }
  if (!/^\d{1,12}$/.test(request.timestamp)) {
    return { ok: false, reason: "malformed", message: "Malformed signature timestamp" };
  }
  const mac = parseSignature(request.signature);
  if (!mac) return { ok: false, reason: "malformed", message: "Malformed signature" };
  const nowSeconds = Math.floor((request.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - Number(request.timestamp)) > INTERNAL_SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: "stale", message: "Signature timestamp is too old or in the future" };
  }
  if (request.bodySha256 !== undefined && !SHA256_HEX.test(request.bodySha256)) {
    return { ok: false, reason: "malformed", message: "Malformed body digest" };
  }
  const bodySha256 = request.bodySha256 ?? (await bodyDigestHex(request.body));
  const key = await hmacKey(request.secret, "verify");
  const data = encoder.encode(signedString(request, request.timestamp, bodySha256));
  const valid = await crypto.subtle.verify("HMAC", key, mac, data);
  return valid ? { ok: true } : { ok: false, reason: "mismatch", message: "Invalid signature" };
}

/** Hex SHA-256 of a body; an absent body hashes as empty. */
export async function bodyDigestHex(body: SignedRequest["body"]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytesOf(body));
  return toHex(new Uint8Array(digest));
}

function signedString(request: SignedRequest, timestamp: string, bodySha256: string): string {
  return `${timestamp}.${request.method.toUpperCase()}.${request.path}.${bodySha256.toLowerCase()}`;
}

// No CryptoKey annotation: the name is global in workerd's types but not in Node's.
function hmacKey(secret: string, usage: "sign" | "verify") {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

function bytesOf(body: SignedRequest["body"]): Uint8Array<ArrayBuffer> {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // WebCrypto takes views on a plain ArrayBuffer only; anything else is copied.
  return body.buffer instanceof ArrayBuffer ? (body as Uint8Array<ArrayBuffer>) : new Uint8Array(body);
}

function parseSignature(header: string): Uint8Array<ArrayBuffer> | null {
  const match = header.trim().match(/^v1=([0-9a-f]{64})$/i);
  const hex = match?.[1];
  if (!hex) return null;
  const bytes = new Uint8Array(32);
  for (let index = 0; index < 32; index++) bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
