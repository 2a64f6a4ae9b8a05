import WebSocket from "ws";

/**
 * The audio side of `listen`/`stream` (and `config.listen`): like jambonz's mod_audio_fork, a WebSocket with the
 * `audio.jambonz.org` subprotocol, one JSON text message of metadata, then binary frames of 16-bit little-endian
 * PCM (L16) at the requested sample rate — here a quiet 440 Hz tone standing in for the caller's voice.
 */
export const AUDIO_SUBPROTOCOL = "audio.jambonz.org";
export const FRAME_MS = 20;

export function toneFrame(sampleRate: number, channels: number, frameIndex: number): Buffer {
  const samplesPerChannel = Math.round((sampleRate * FRAME_MS) / 1000);
  const frame = Buffer.alloc(samplesPerChannel * channels * 2);
  const firstSample = frameIndex * samplesPerChannel;
  for (let i = 0; i < samplesPerChannel; i++) {
    const value = Math.round(3000 * Math.sin((2 * Math.PI * 440 * (firstSample + i)) / sampleRate));
    for (let channel = 0; channel < channels; channel++) frame.writeInt16LE(value, (i * channels + channel) * 2);
  }
  return frame;
}

export type AudioStreamOptions = {
  url: string;
  sampleRate: number;
  mixType: string;
  metadata: Record<string, unknown>;
  onClose: (framesSent: number, error?: string) => void;
};

/** One open fork. All forks share a single timer, so hundreds of calls cost one tick per frame period. */
export class AudioStream {
  framesSent = 0;
  private readonly socket: WebSocket;
  private readonly channels: number;
  private closed = false;

  constructor(private readonly options: AudioStreamOptions) {
    this.channels = options.mixType === "stereo" ? 2 : 1;
    this.socket = new WebSocket(options.url, AUDIO_SUBPROTOCOL);
    this.socket.on("open", () => {
      this.socket.send(JSON.stringify(options.metadata));
      activeStreams.add(this);
      ensureTicker();
    });
    this.socket.on("error", (error) => this.finish(error.message));
    this.socket.on("close", () => this.finish());
  }

  /** Ends the fork (call over, verb killed); the far end sees a normal close. */
  stop(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(1000);
    }
    this.finish();
  }

  sendNextFrame(): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    // Skip a frame rather than queue without bound when the receiver is slow.
    if (this.socket.bufferedAmount > 64_000) return;
    this.socket.send(toneFrame(this.options.sampleRate, this.channels, this.framesSent));
    this.framesSent += 1;
  }

  private finish(error?: string): void {
    if (this.closed) return;
    this.closed = true;
    activeStreams.delete(this);
    this.options.onClose(this.framesSent, error);
  }
}

const activeStreams = new Set<AudioStream>();
let ticker: NodeJS.Timeout | undefined;

function ensureTicker(): void {
  if (ticker) return;
  ticker = setInterval(() => {
    if (activeStreams.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
      return;
    }
    for (const stream of activeStreams) stream.sendNextFrame();
  }, FRAME_MS);
  ticker.unref();
}
