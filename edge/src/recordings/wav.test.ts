import { describe, expect, it } from "vitest";
import { sineWav } from "../../../test/support/wav.js";
import { inspectWav } from "./wav.js";

function listChunk(): Uint8Array {
  // 'LIST' with an odd 3-byte payload, so the pad byte must be skipped.
  return new Uint8Array([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0]);
}

describe("inspectWav", () => {
  it("reads the format and duration of a PCM WAV", () => {
    const check = inspectWav(sineWav(0.5, { sampleRate: 8_000 }));
    expect(check).toEqual({
      ok: true,
      info: { audioFormat: 1, channels: 1, sampleRate: 8_000, bitsPerSample: 16, dataBytes: 8_000, durationMs: 500 },
    });
  });

  it("skips unknown chunks, including their pad byte", () => {
    const check = inspectWav(sineWav(0.25, { extraChunk: listChunk() }));
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
