/**
 * A 16-bit PCM mono WAV of a 440 Hz sine: `seconds` long at `sampleRate`, with `extraChunk` (a whole chunk,
 * header included) between the `fmt ` and `data` chunks when given.
 */
export function sineWav(seconds = 0.5, options: { sampleRate?: number; extraChunk?: Uint8Array } = {}): Uint8Array {
  const sampleRate = options.sampleRate ?? 8_000;
  const samples = Math.round(seconds * sampleRate);
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
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  bytes.set(extra, 36);
  const data = 36 + extra.byteLength;
  ascii(data, "data");
  view.setUint32(data + 4, samples * 2, true);
  for (let index = 0; index < samples; index++) {
    view.setInt16(data + 8 + index * 2, Math.round(Math.sin((2 * Math.PI * 440 * index) / sampleRate) * 12_000), true);
  }
  return bytes;
}
