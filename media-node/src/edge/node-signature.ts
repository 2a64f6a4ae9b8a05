import { createHash, createHmac } from "node:crypto";
import { type SignatureCrypto, webSignatureCrypto } from "@switchboard/schema/internal-signature";

/** Larger bodies (recordings: ~1 MB a minute) are hashed on libuv's pool rather than on the event loop. */
const HASH_ON_LOOP_MAX_BYTES = 256 * 1024;

/**
 * The internal API's signature primitives on node:crypto: synchronous, so signing a turn request or checking
 * the edge's dial request never waits for a thread of libuv's pool (which recordings' file writes also use).
 * Same scheme as WebCrypto's, so either side may use either.
 */
export const nodeSignatureCrypto: SignatureCrypto = {
  sha256Hex: (bytes) =>
    bytes.byteLength > HASH_ON_LOOP_MAX_BYTES
      ? webSignatureCrypto.sha256Hex(bytes)
      : createHash("sha256").update(bytes).digest("hex"),
  hmacSha256: (secret, data) => createHmac("sha256", secret).update(data).digest(),
};
