import type { R2Bucket } from "@cloudflare/workers-types/latest";

/** R2 deletes at most this many keys per request. */
const R2_DELETE_BATCH = 1_000;

/** Deletes recordings whose calls are gone, after the response; a failure only leaves unreachable objects. */
export function recordingsDiscarder(bucket: R2Bucket, waitUntil: (work: Promise<unknown>) => void) {
  return (keys: readonly string[]): void => {
    const batches: string[][] = [];
    for (let start = 0; start < keys.length; start += R2_DELETE_BATCH) {
      batches.push(keys.slice(start, start + R2_DELETE_BATCH));
    }
    waitUntil(
      Promise.all(batches.map((batch) => bucket.delete(batch))).catch((error: unknown) =>
        console.error(JSON.stringify({ recordings: "discard failed", keys: keys.length, error: String(error) })),
      ),
    );
  };
}
