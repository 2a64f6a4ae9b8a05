import { describe, expect, it } from "vitest";
import { inspectWav } from "./wav.js";

/** A 16-bit PCM mono WAV of a 440 Hz sine, with optional extra chunks before `data`. */
function sineWav(options: { seconds?: number; sampleRate?: number; extraChunk?: Uint8Array } = {}): Uint8Array {
  const sampleRate = options.sampleRate ?? 8_000;
  const samples = Math.round((options.seconds ?? 0.5) * sampleRate);
  const extra = options.extraChunk ?? new Uint8Array(0);
  const bytes = new Uint8Array(44 + extra.byteLength + samples * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let index = 0; index < text.length; index++) view.setUint8(offset + index, text.charCodeAt(index));
  };
  ascii(0, "RIFF");
  view.setUint32(4, bytes.byteLength - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  bytes.set(extra, 36);
  const data = 36 + extra.byteLength;
  ascii(data, "data");
  view.setUint32(data + 4, samples * 2, true);
  for (let index = 0; index < samples; index++) {
    view.setInt16(data + 8 + index * 2, Math.round(Math.sin((2 * Math.PI * 440 * index) / sampleRate) * 12_000), true);
  }
  return bytes;
}

function listChunk(): Uint8Array {
  // 'LIST' with an odd 3-byte payload, so the pad byte must be skipped.
  return new Uint8Array([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0]);
}

describe("inspectWav", () => {
  it("reads the format and duration of a PCM WAV", () => {
    const check = inspectWav(sineWav({ seconds: 0.5, sampleRate: 8_000 }));
    expect(check).toEqual({
      ok: true,
      info: { audioFormat: 1, channels: 1, sampleRate: 8_000, bitsPerSample: 16, dataBytes: 8_000, durationMs: 500 },
    });
  });

  it("skips unknown chunks, including their pad byte", () => {
    const check = inspectWav(sineWav({ seconds: 0.25, extraChunk: listChunk() }));
    expect(check).toMatchObject({ ok: true, info: { dataBytes: 4_000, durationMs: 250 } });
  });

  it("reads a WAV that sits inside a larger buffer", () => {
    const wav = sineWav();
    const larger = new Uint8Array(wav.byteLength + 10);
    larger.set(wav, 5);
    expect(inspectWav(larger.subarray(5, 5 + wav.byteLength)).ok).toBe(true);
  });

  it("refuses what is not a WAV", () => {
    const text = new TextEncoder().encode("this is certainly not audio, just some words in a file");
    expect(inspectWav(text)).toMatchObject({ ok: false, problem: "not a RIFF/WAVE file" });
    expect(inspectWav(new Uint8Array(0))).toMatchObject({ ok: false });
  });

  it("refuses a RIFF/WAVE file without a fmt or data chunk", () => {
    const wav = sineWav();
    const headerOnly = wav.slice(0, 36);
    expect(inspectWav(headerOnly)).toMatchObject({ ok: false, problem: "no data chunk" });
    const noFormat = wav.slice();
    noFormat.set(new TextEncoder().encode("junk"), 12);
    expect(inspectWav(noFormat)).toMatchObject({ ok: false, problem: "data chunk before the fmt chunk" });
    expect(inspectWav(noFormat.slice(0, 36))).toMatchObject({ ok: false, problem: "no fmt chunk" });
  });

  it("refuses a truncated data chunk and a zero sample rate", () => {
    const wav = sineWav();
    expect(inspectWav(wav.slice(0, wav.byteLength - 100))).toMatchObject({ ok: false, problem: /runs past the end/ });
    const silentRate = wav.slice();
    new DataView(silentRate.buffer).setUint32(24, 0, true);
    expect(inspectWav(silentRate)).toMatchObject({ ok: false, problem: /sample rate of 0/ });
  });
});
