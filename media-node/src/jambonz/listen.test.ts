import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyInternalRequest } from "@switchboard/schema/internal-signature";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { EdgeClient } from "../edge/client.js";
import { Outbox } from "../edge/outbox.js";
import { attachListenServer } from "./listen.js";

const CALL_ID = "5b0c8f0e-6f7c-4d8a-9d7e-0a1b2c3d4e5f";
const SECRET = "listen-test-secret-listen-test-secret";

type Received = { path: string; headers: Headers; body: Uint8Array };

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** An outbox with a file (so recordings are spooled to disk) whose client hands requests to `received`. */
function spoolingOutbox(received: Received[]): { outbox: Outbox; spoolDir: string } {
  const dir = mkdtempSync(join(tmpdir(), "listen-test-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const client = new EdgeClient({
    edgeUrl: "http://edge.test",
    secret: SECRET,
    fetch: async (url, init) => {
      const body = init?.body as Uint8Array;
      received.push({ path: new URL(String(url)).pathname, headers: new Headers(init?.headers), body });
      return new Response("{}", { status: 200 });
    },
  });
  const outbox = new Outbox({ file: join(dir, "outbox.jsonl"), client });
  return { outbox, spoolDir: outbox.spoolDir ?? "" };
}

async function streamAudio(outbox: Outbox, frames: Buffer[], meta: object): Promise<void> {
  const server = createServer();
  attachListenServer(server, { outbox, isLiveCall: (id) => id === CALL_ID });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => server.close());
  const { port } = server.address() as AddressInfo;
  const socket = new WebSocket(`ws://127.0.0.1:${port}/jambonz/listen/${CALL_ID}`, "audio.jambonz.org");
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  socket.send(JSON.stringify(meta));
  for (const frame of frames) socket.send(frame);
  await new Promise((resolve) => {
    socket.once("close", resolve);
    socket.close(1000);
  });
}

async function eventually(check: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !check(); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("listen recording with an outbox spool", () => {
  it("writes the audio to a WAV file on disk, uploads it signed over its SHA-256, then removes it", async () => {
    const received: Received[] = [];
    const { outbox, spoolDir } = spoolingOutbox(received);
    const frames = Array.from({ length: 50 }, (_, index) => Buffer.alloc(640, index)); // 1 s at 16 kHz
    await streamAudio(outbox, frames, { sampleRate: 16_000, mixType: "mixed" });
    await eventually(() => received.length > 0);
    await outbox.drain();

    expect(received).toHaveLength(1);
    const [upload] = received;
    expect(upload?.path).toBe(`/internal/v1/calls/${CALL_ID}/recording`);
    const wav = Buffer.from(upload?.body ?? new Uint8Array());
    expect(wav.length).toBe(44 + 50 * 640);
    expect(wav.subarray(0, 4).toString("latin1")).toBe("RIFF");
    expect(wav.readUInt32LE(4)).toBe(36 + 50 * 640);
    expect(wav.readUInt32LE(24)).toBe(16_000);
    expect(wav.readUInt32LE(40)).toBe(50 * 640);
    expect(wav.subarray(44).equals(Buffer.concat(frames))).toBe(true);

    const headers = upload?.headers ?? new Headers();
    const check = await verifyInternalRequest({
      secret: SECRET,
      method: "PUT",
      path: upload?.path ?? "",
      body: wav,
      timestamp: headers.get("x-switchboard-timestamp"),
      signature: headers.get("x-switchboard-signature"),
    });
    expect(check).toEqual({ ok: true });
    const { createHash } = await import("node:crypto");
    expect(headers.get("x-switchboard-content-sha256")).toBe(createHash("sha256").update(wav).digest("hex"));
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("uploads nothing and leaves no file when no audio came", async () => {
    const received: Received[] = [];
    const { outbox, spoolDir } = spoolingOutbox(received);
    await streamAudio(outbox, [], { sampleRate: 8_000 });
    await eventually(() => readdirSync(spoolDir).length === 0);
    await outbox.drain();
    expect(received).toEqual([]);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("keeps the recording in memory, and uploads it, when the spool directory cannot be used", async () => {
    const received: Received[] = [];
    const { outbox, spoolDir } = spoolingOutbox(received);
    rmSync(spoolDir, { recursive: true, force: true });
    writeFileSync(spoolDir, "not a directory");
    const frames = Array.from({ length: 5 }, (_, index) => Buffer.alloc(320, index));
    await streamAudio(outbox, frames, { sampleRate: 8_000 });
    await eventually(() => received.length > 0);
    await outbox.drain();
    expect(received).toHaveLength(1);
    expect(
      Buffer.from(received[0]?.body ?? new Uint8Array())
        .subarray(44)
        .equals(Buffer.concat(frames)),
    ).toBe(true);
  });
});
