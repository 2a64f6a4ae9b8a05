import { createWriteStream, mkdirSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import type { IncomingMessage, Server } from "node:http";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { RECORDING_SAMPLE_RATE } from "../calls/verbs.js";
import type { Outbox } from "../edge/outbox.js";
import { type PcmFormat, WAV_HEADER_BYTES, wavFromPcm16, wavHeader } from "../wav.js";

/** jambonz's audio fork subprotocol (docs); the SDK's audio service names the drachtio one. */
const AUDIO_SUBPROTOCOLS = ["audio.jambonz.org", "audio.drachtio.org"];
const LISTEN_PATH = /^\/jambonz\/listen\/([0-9a-f-]{36})$/i;
/** Two hours of 8 kHz stereo L16; a stream past that is cut rather than exhaust memory. */
const MAX_RECORDING_BYTES = 2 * 3600 * 8_000 * 2 * 2;

export type ListenOptions = {
  outbox: Outbox;
  /** Only streams of calls this node is running are accepted. */
  isLiveCall: (callId: string) => boolean;
  log?: (message: string) => void;
};

/**
 * The `listen` audio WebSocket (`/jambonz/listen/<call_id>`): one JSON text frame of metadata (sampleRate,
 * mixType, ...), then binary L16 frames. When jambonz closes it, the audio becomes a WAV file that the outbox
 * PUTs to the edge (`/internal/v1/calls/<id>/recording`, signed), retried until the edge has it.
 */
export function attachListenServer(server: Server, options: ListenOptions): WebSocketServer {
  const log = options.log ?? ((message) => console.warn(`media-node listen: ${message}`));
  const sockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => AUDIO_SUBPROTOCOLS.find((protocol) => offered.has(protocol)) ?? false,
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const callId = LISTEN_PATH.exec(new URL(request.url ?? "/", "http://x").pathname)?.[1]?.toLowerCase();
    if (!callId) return; // not ours: other upgrade handlers (or none) decide
    if (!options.isLiveCall(callId)) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => record(ws, callId, options.outbox, log));
  });
  return sockets;
}

function record(ws: WebSocket, callId: string, outbox: Outbox, log: (message: string) => void): void {
  const sink = recordingSink(outbox, callId, log);
  let bytes = 0;
  let format = { sampleRate: RECORDING_SAMPLE_RATE, channels: 1 };
  ws.on("message", (data, isBinary) => {
    if (!isBinary) {
      format = formatOf(data.toString(), format);
      return;
    }
    const frame = toBytes(data);
    if (bytes + frame.byteLength > MAX_RECORDING_BYTES) return;
    sink.add(frame);
    bytes += frame.byteLength;
  });
  ws.on("close", () => {
    sink.finish(bytes, format).catch((error: unknown) => log(`call ${callId}: recording not saved: ${String(error)}`));
  });
  ws.on("error", (error) => log(`call ${callId}: ${error.message}`));
}

type RecordingSink = {
  add(frame: Uint8Array): void;
  /** Hands the recording to the outbox (nothing when no audio came). */
  finish(dataBytes: number, format: PcmFormat): Promise<void>;
};

/**
 * Where a call's audio goes while it streams. With an outbox spool directory, straight into a WAV file on disk
 * (header rewritten at the end), so an hour-long call is never held in memory; without one, frames are kept
 * and the WAV is built once at the end.
 */
function recordingSink(outbox: Outbox, callId: string, log: (message: string) => void): RecordingSink {
  const spool = outbox.spoolDir;
  if (!spool) return memorySink(outbox, callId);
  try {
    mkdirSync(spool, { recursive: true });
  } catch (error) {
    log(`call ${callId}: spool ${spool} unusable (${String(error)}): recording kept in memory`);
    return memorySink(outbox, callId);
  }
  return fileSink(outbox, callId, join(spool, `${callId}-${Date.now()}.wav`));
}

function memorySink(outbox: Outbox, callId: string): RecordingSink {
  const frames: Uint8Array[] = [];
  return {
    add: (frame) => frames.push(frame),
    finish: async (dataBytes, format) => {
      if (dataBytes > 0) outbox.enqueue({ ...recordingDelivery(callId), bytes: wavFromPcm16(frames, format) });
    },
  };
}

function fileSink(outbox: Outbox, callId: string, file: string): RecordingSink {
  const out = createWriteStream(file);
  // A file that cannot be written (disk full, spool removed) loses this recording only, never the process.
  let failure: Error | null = null;
  out.on("error", (error) => {
    failure ??= error;
  });
  out.write(new Uint8Array(WAV_HEADER_BYTES)); // placeholder until the length is known
  return {
    add: (frame) => {
      if (!failure) out.write(frame);
    },
    finish: async (dataBytes, format) => {
      if (!failure) {
        await new Promise<void>((resolve, reject) =>
          out.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
      }
      if (failure) throw failure;
      if (dataBytes === 0) return rm(file, { force: true });
      const handle = await open(file, "r+");
      try {
        await handle.write(wavHeader(dataBytes, format), 0, WAV_HEADER_BYTES, 0);
      } finally {
        await handle.close();
      }
      outbox.enqueue({ ...recordingDelivery(callId), bodyFile: file });
    },
  };
}

function recordingDelivery(callId: string) {
  return {
    id: `${callId}:recording:${Date.now()}`,
    // A lane of its own: the call's final status must not wait behind an upload (the dialer refills on it).
    lane: `${callId}:recording`,
    method: "PUT" as const,
    path: `/internal/v1/calls/${callId}/recording`,
    contentType: "audio/wav",
  };
}

function formatOf(text: string, current: { sampleRate: number; channels: number }) {
  try {
    const meta = JSON.parse(text) as { sampleRate?: unknown; mixType?: unknown };
    const sampleRate =
      typeof meta.sampleRate === "number" && meta.sampleRate > 0 ? meta.sampleRate : current.sampleRate;
    return { sampleRate, channels: meta.mixType === "stereo" ? 2 : 1 };
  } catch {
    return current;
  }
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data);
}
