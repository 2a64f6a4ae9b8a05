import { request } from "node:http";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { signInternalRequest } from "../schema/src/internal-signature.js";
import { firstRow, useDatabase } from "./support/database.js";
import { recordingPath, uploadRecording } from "./support/recordings.js";
import { sineWav } from "./support/wav.js";

/**
 * Long recordings: the upload streams into R2 (exempt from the 5 MB body limit, capped at 256 MB by its
 * Content-Length), its WAV header is checked from the first bytes, and the body must match the SHA-256
 * its signature covers. A refused upload leaves nothing in storage.
 */

const database = useDatabase();
const one = <T = { id: string }>(text: string, values: unknown[] = []) => firstRow<T>(database(), text, values);

let demoOrgId: string;
/** ~20 MB: 10 minutes 25 s of 16 kHz mono. */
const longWav = sineWav(625, { sampleRate: 16_000 });

async function newCall(): Promise<string> {
  const phone = `+336${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
  return (
    await one("insert into calls (org_id, to_number, status) values ($1, $2, 'completed') returning id", [
      demoOrgId,
      phone,
    ])
  ).id;
}

async function download(callId: string): Promise<{ status: number; bytes: Uint8Array }> {
  const response = await fetch(`${inject("edgeUrl")}/api/exports/audio/${callId}`, {
    headers: { "x-api-key": inject("apiPassword") },
  });
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/**
 * Nothing is in R2 under the call's key: the call is pointed at where its recording would be, and the
 * export still finds nothing.
 */
async function expectNothingStored(callId: string): Promise<void> {
  const row = await one<{ recording_key: string | null }>("select recording_key from calls where id = $1", [callId]);
  expect(row.recording_key).toBeNull();
  await database().query("update calls set recording_key = $2 where id = $1", [
    callId,
    `recordings/${demoOrgId}/${callId}.wav`,
  ]);
  expect((await download(callId)).status).toBe(404);
}

beforeAll(async () => {
  demoOrgId = (await one("select id from organisations where slug = 'demo'")).id;
});

describe("PUT /internal/v1/calls/{id}/recording, long recordings", () => {
  it("stores a ~20 MB WAV and exports it back byte for byte", async () => {
    const callId = await newCall();
    const started = performance.now();
    const upload = await uploadRecording(callId, longWav);
    const uploadMs = Math.round(performance.now() - started);
    expect(upload.status, upload.text.slice(0, 300)).toBe(200);
    expect(upload.body).toEqual({
      call_id: callId,
      recording_key: `recordings/${demoOrgId}/${callId}.wav`,
      bytes: longWav.byteLength,
      duration_ms: 625_000,
    });
    const exported = await download(callId);
    expect(exported.status).toBe(200);
    expect(exported.bytes.byteLength).toBe(longWav.byteLength);
    expect(Buffer.from(exported.bytes).equals(Buffer.from(longWav))).toBe(true);
    console.info(`recording upload: ${longWav.byteLength} bytes in ${uploadMs} ms`);
  });

  it("refuses a body that does not match its signed SHA-256, and stores nothing", async () => {
    const callId = await newCall();
    const spoiled = longWav.slice();
    const last = spoiled.byteLength - 1;
    spoiled[last] = (spoiled[last] ?? 0) ^ 0xff; // the header is fine: only the end gives it away
    const response = await uploadRecording(callId, spoiled, { signedBody: longWav });
    expect(response.status, response.text.slice(0, 300)).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "INVALID_SIGNATURE" } });
    await expectNothingStored(callId);
  });

  it("refuses a large correctly signed body that is not a WAV, and stores nothing", async () => {
    const callId = await newCall();
    const notWav = new Uint8Array(longWav.byteLength).fill(0x61);
    const response = await uploadRecording(callId, notWav);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: { code: "VALIDATION_ERROR" } });
    await expectNothingStored(callId);
  });

  it("refuses an upload without the declared digest", async () => {
    const callId = await newCall();
    const response = await uploadRecording(callId, longWav.subarray(0, 1_000), {
      headers: { "x-switchboard-content-sha256": "" },
    });
    expect(response.status).toBe(401);
    await expectNothingStored(callId);
  });

  it("refuses by its Content-Length an upload over 256 MB, before reading it", async () => {
    const callId = await newCall();
    const path = recordingPath(callId);
    const announced = 300 * 1024 * 1024;
    const head = sineWav(0.1);
    const signature = await signInternalRequest({
      secret: inject("internalApiSecret"),
      method: "PUT",
      path,
      bodySha256: "0".repeat(64),
    });
    const status = await new Promise<number>((resolve, reject) => {
      const edge = new URL(inject("edgeUrl"));
      const upload = request(
        {
          host: edge.hostname,
          port: edge.port,
          path,
          method: "PUT",
          headers: { "content-type": "audio/wav", "content-length": String(announced), ...signature },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
          upload.destroy();
        },
      );
      upload.on("error", reject);
      upload.write(head); // the rest never comes: the answer must not wait for it
    });
    expect(status).toBe(413);
    await expectNothingStored(callId);
  });
});
