import type { R2Bucket, R2ObjectBody, ReadableStream as WorkerReadableStream } from "@cloudflare/workers-types/latest";
import { calls } from "@switchboard/schema";
import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { NotFoundError, ValidationError } from "../shared/errors.js";
import { isUuid } from "../shared/ids.js";
import { inspectWav, type WavInfo } from "./wav.js";

export const RECORDING_CONTENT_TYPE = "audio/wav";

export type StoredRecording = { callId: string; orgId: string; key: string; bytes: number; wav: WavInfo };

/** Where a call's recording lives in R2: one object per call, per organisation. */
export function recordingKey(orgId: string, callId: string): string {
  return `recordings/${orgId}/${callId}.wav`;
}

/**
 * The largest recording the edge takes: 256 MB is over an hour of 16-bit mono audio even at 16 kHz
 * (8 kHz: ~58 MB/hour, 16 kHz: ~115 MB/hour). Cloudflare's own request limit (100 MB on Free/Pro plans)
 * may be lower in production.
 */
export const MAX_RECORDING_BYTES = 256 * 1024 * 1024;
/** How much of an upload is read before anything is stored, to check its WAV header. */
const WAV_HEADER_PROBE_BYTES = 64 * 1024;

export type RecordingUpload = { body: ReadableStream<Uint8Array>; bytes: number };

/**
 * Stores a call's recording (media node → edge) as it streams in: the WAV header is checked from the first
 * bytes, then the whole body goes to R2 with its known length, so the edge never holds the file.
 * The call id alone names the call: the media node is trusted across organisations, and the organisation
 * comes from the call row. A second upload replaces the first; a body that fails while streaming (e.g. its
 * digest does not match the signature) leaves the previous object, if any, in place.
 */
export async function storeRecording(
  db: Database,
  bucket: R2Bucket,
  callId: string,
  upload: RecordingUpload,
): Promise<StoredRecording> {
  const reader = upload.body.getReader();
  try {
    const head = await readAtLeast(reader, Math.min(WAV_HEADER_PROBE_BYTES, upload.bytes));
    const check = inspectWav(head, upload.bytes);
    if (!check.ok) {
      throw new ValidationError("The body is not a WAV file", [{ path: ["body"], message: check.problem }]);
    }
    const call = await findCallById(db, callId);
    const key = recordingKey(call.orgId, call.id);
    const stored = new FixedLengthStream(upload.bytes);
    // FixedLengthStream gives R2 the length up front; its global type and R2's come from two type packages.
    const put = bucket.put(key, stored.readable as unknown as WorkerReadableStream, {
      httpMetadata: { contentType: RECORDING_CONTENT_TYPE },
      customMetadata: { orgId: call.orgId, callId: call.id },
    });
    throwSourceFailureFirst(await Promise.allSettled([copyInto(stored.writable, head, reader), put]));
    await db
      .update(calls)
      .set({ recordingKey: key })
      .where(and(eq(calls.orgId, call.orgId), eq(calls.id, call.id)));
    return { callId: call.id, orgId: call.orgId, key, bytes: upload.bytes, wav: check.info };
  } catch (error) {
    await discardRest(reader);
    throw error;
  }
}

/**
 * Reads a refused body to its end without keeping it: a client that sends the whole body before reading the
 * answer (Node's fetch through wrangler dev) may otherwise see the connection cut instead of the refusal.
 */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    while (!(await reader.read()).done) {}
  } catch {
    // Already failed (e.g. the digest check): nothing left to read.
  }
}

/** Reads until `wanted` bytes (or the end of the stream) have come in. */
async function readAtLeast(reader: ReadableStreamDefaultReader<Uint8Array>, wanted: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let received = 0;
  while (received < wanted) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.byteLength;
  }
  const head = new Uint8Array(received);
  let offset = 0;
  for (const part of parts) {
    head.set(part, offset);
    offset += part.byteLength;
  }
  return head;
}

/** Writes `head`, then the rest of `reader`; a failing source aborts the destination, so R2 stores nothing. */
async function copyInto(
  destination: WritableStream<Uint8Array>,
  head: Uint8Array,
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<void> {
  const writer = destination.getWriter();
  try {
    await writer.write(head);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await writer.write(value);
    }
    await writer.close();
  } catch (error) {
    await writer.abort(error).catch(() => {});
    throw error;
  }
}

/** The copy's error (e.g. a digest mismatch) is the one to report: R2 only says that its stream was aborted. */
function throwSourceFailureFirst(results: PromiseSettledResult<unknown>[]): void {
  for (const result of results) if (result.status === "rejected") throw result.reason;
}

/** The caller's recording of a call, as an R2 object to stream; NotFoundError when there is none. */
export async function openRecording(
  db: Database,
  bucket: R2Bucket,
  orgId: string,
  callUuid: string,
): Promise<{ callId: string; object: R2ObjectBody }> {
  const notFound = new NotFoundError(`Recording for call ${callUuid}`);
  if (!isUuid(callUuid)) throw notFound;
  const [call] = await db
    .select({ id: calls.id, recordingKey: calls.recordingKey })
    .from(calls)
    .where(and(eq(calls.orgId, orgId), eq(calls.id, callUuid)));
  if (!call?.recordingKey) throw notFound;
  const object = await bucket.get(call.recordingKey);
  if (!object) throw notFound;
  return { callId: call.id, object };
}

async function findCallById(db: Database, callId: string): Promise<{ id: string; orgId: string }> {
  if (!isUuid(callId)) throw new NotFoundError(`Call ${callId}`);
  const [call] = await db.select({ id: calls.id, orgId: calls.orgId }).from(calls).where(eq(calls.id, callId));
  if (!call) throw new NotFoundError(`Call ${callId}`);
  return call;
}

export type RecordingDetails = {
  callId: string;
  bytes: number;
  /** From the WAV header; null when the header cannot be read. */
  durationMs: number | null;
  agentId: string | null;
  campaignId: string | null;
};

/** What is known of the caller's recording of a call without downloading it; NotFoundError when there is none. */
export async function recordingDetails(
  db: Database,
  bucket: R2Bucket,
  orgId: string,
  callUuid: string,
): Promise<RecordingDetails> {
  const notFound = new NotFoundError(`Recording for call ${callUuid}`);
  if (!isUuid(callUuid)) throw notFound;
  const [call] = await db
    .select({ id: calls.id, recordingKey: calls.recordingKey, agentId: calls.agentId, campaignId: calls.campaignId })
    .from(calls)
    .where(and(eq(calls.orgId, orgId), eq(calls.id, callUuid)));
  if (!call?.recordingKey) throw notFound;
  // The header alone: the first 64 KB hold it for any file the media node writes.
  const head = await bucket.get(call.recordingKey, { range: { offset: 0, length: WAV_HEADER_PROBE_BYTES } });
  if (!head) throw notFound;
  const check = inspectWav(new Uint8Array(await head.arrayBuffer()), head.size);
  return {
    callId: call.id,
    bytes: head.size,
    durationMs: check.ok ? check.info.durationMs : null,
    agentId: call.agentId,
    campaignId: call.campaignId,
  };
}
