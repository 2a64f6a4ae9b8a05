/** The audio jambonz streams over `listen`: 16-bit signed little-endian PCM. */
export type PcmFormat = { sampleRate: number; channels: number };

/** A canonical PCM WAV header: RIFF, a 16-byte `fmt ` chunk, then the `data` chunk's header. */
export const WAV_HEADER_BYTES = 44;

/** A RIFF/WAVE file (PCM, 16 bits) around raw L16 frames, built in one buffer. */
export function wavFromPcm16(frames: readonly Uint8Array[], format: PcmFormat): Uint8Array {
  const dataBytes = frames.reduce((total, frame) => total + frame.byteLength, 0);
  const wav = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  wav.set(wavHeader(dataBytes, format));
  let offset = WAV_HEADER_BYTES;
  for (const frame of frames) {
    wav.set(frame, offset);
    offset += frame.byteLength;
  }
  return wav;
}

/** The header of a PCM 16-bit WAV whose data is `dataBytes` long (written last when the audio goes to a file). */
export function wavHeader(dataBytes: number, format: PcmFormat): Uint8Array {
  const wav = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(wav.buffer);
  const blockAlign = format.channels * 2;
  writeAscii(wav, 0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  writeAscii(wav, 8, "WAVE");
  writeAscii(wav, 12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, 16, true);
  writeAscii(wav, 36, "data");
  view.setUint32(40, dataBytes, true);
  return wav;
}

function writeAscii(target: Uint8Array, offset: number, text: string): void {
  for (let index = 0; index < text.length; index++) target[offset + index] = text.charCodeAt(index);
}
