import type { R2Bucket, R2ObjectBody } from "@cloudflare/workers-types/latest";
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
 * Stores a call's recording (media node → edge). The call id alone names the call: the media node
 * is trusted across organisations, and the organisation comes from the call row.
 * A second upload replaces the first.
 */
export async function storeRecording(
  db: Database,
  bucket: R2Bucket,
  callId: string,
  audio: Uint8Array,
): Promise<StoredRecording> {
  const check = inspectWav(audio);
  if (!check.ok) {
    throw new ValidationError("The body is not a WAV file", [{ path: ["body"], message: check.problem }]);
  }
  const call = await findCallById(db, callId);
  const key = recordingKey(call.orgId, call.id);
  await bucket.put(key, audio, {
    httpMetadata: { contentType: RECORDING_CONTENT_TYPE },
    customMetadata: { orgId: call.orgId, callId: call.id },
  });
  await db
    .update(calls)
    .set({ recordingKey: key })
    .where(and(eq(calls.orgId, call.orgId), eq(calls.id, call.id)));
  return { callId: call.id, orgId: call.orgId, key, bytes: audio.byteLength, wav: check.info };
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
