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

/**
 * The two primitives the scheme needs. WebCrypto's (the default) runs everywhere but, in Node, queues each
 * operation on libuv's thread pool; the media node passes node:crypto's synchronous ones (see its
 * edge/node-signature.ts) so a live call's hook never waits behind file writes for a signature.
 */
export type SignatureCrypto = {
  sha256Hex(bytes: Uint8Array<ArrayBuffer>): string | Promise<string>;
  hmacSha256(secret: string, data: Uint8Array<ArrayBuffer>): Uint8Array | Promise<Uint8Array>;
};

export const webSignatureCrypto: SignatureCrypto = {
  async sha256Hex(bytes) {
    return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
  },
  async hmacSha256(secret, data) {
    return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), data));
  },
};

/** The headers to send with a request to the internal API. */
export async function signInternalRequest(
  request: SignedRequest & { now?: Date },
  using: SignatureCrypto = webSignatureCrypto,
): Promise<
  Record<
    typeof INTERNAL_TIMESTAMP_HEADER | typeof INTERNAL_SIGNATURE_HEADER | typeof INTERNAL_CONTENT_SHA256_HEADER,
    string
  >
> {
  const timestamp = String(Math.floor((request.now ?? new Date()).getTime() / 1000));
  const bodySha256 = request.bodySha256 ?? (await using.sha256Hex(bytesOf(request.body)));
  const mac = await using.hmacSha256(request.secret, encoder.encode(signedString(request, timestamp, bodySha256)));
  return {
    [INTERNAL_TIMESTAMP_HEADER]: timestamp,
    [INTERNAL_SIGNATURE_HEADER]: `${SIGNATURE_VERSION}=${toHex(mac)}`,
    [INTERNAL_CONTENT_SHA256_HEADER]: bodySha256,
  };
}

/** Checks the headers of a received request; the MACs are compared in constant time. */
export async function verifyInternalRequest(
  request: SignedRequest & { timestamp: string | null | undefined; signature: string | null | undefined; now?: Date },
  using: SignatureCrypto = webSignatureCrypto,
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
  const bodySha256 = request.bodySha256 ?? (await using.sha256Hex(bytesOf(request.body)));
  const data = encoder.encode(signedString(request, request.timestamp, bodySha256));
  const expected = await using.hmacSha256(request.secret, data);
  return equalInConstantTime(expected, mac)
    ? { ok: true }
    : { ok: false, reason: "mismatch", message: "Invalid signature" };
}

/** Hex SHA-256 of a body; an absent body hashes as empty. */
export async function bodyDigestHex(body: SignedRequest["body"]): Promise<string> {
  return webSignatureCrypto.sha256Hex(bytesOf(body));
}

function signedString(request: SignedRequest, timestamp: string, bodySha256: string): string {
  return `${timestamp}.${request.method.toUpperCase()}.${request.path}.${bodySha256.toLowerCase()}`;
}

function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= (a[index] ?? 0) ^ (b[index] ?? 0);
  return difference === 0;
}

/** Imported keys by secret: a process signs with one or two secrets, and each import is a round trip. */
const importedKeys = new Map<string, ReturnType<typeof importHmacKey>>();
const MAX_IMPORTED_KEYS = 16;

function hmacKey(secret: string) {
  let key = importedKeys.get(secret);
  if (!key) {
    if (importedKeys.size >= MAX_IMPORTED_KEYS) importedKeys.clear();
    key = importHmacKey(secret);
    importedKeys.set(secret, key);
  }
  return key;
}

// No CryptoKey annotation: the name is global in workerd's types but not in Node's.
function importHmacKey(secret: string) {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
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
