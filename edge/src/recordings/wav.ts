/** Just enough RIFF/WAVE parsing to refuse anything that is not a playable WAV file. */

export type WavInfo = {
  /** 1 is PCM, 3 IEEE float, 6/7 G.711 a-law/µ-law, 0xFFFE extensible. */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  dataBytes: number;
  durationMs: number;
};

export type WavCheck = { ok: true; info: WavInfo } | { ok: false; problem: string };

const RIFF_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
const MIN_FMT_BYTES = 16;

type Chunk = { id: string; offset: number; size: number };

/**
 * Reads the RIFF header and walks the chunks; a WAV needs a sane `fmt ` chunk followed by a `data` chunk.
 * `bytes` may be only the start of a file of `fileBytes` (an upload still streaming): the chunks before
 * `data` must then lie within that start.
 */
export function inspectWav(bytes: Uint8Array, fileBytes = bytes.byteLength): WavCheck {
  if (fileBytes < RIFF_HEADER_BYTES + 2 * CHUNK_HEADER_BYTES) return invalid("file too short for a WAV header");
  if (bytes.byteLength < RIFF_HEADER_BYTES) return invalid("not a RIFF/WAVE file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourCC(view, 0) !== "RIFF" || fourCC(view, 8) !== "WAVE") return invalid("not a RIFF/WAVE file");
  let format: Omit<WavInfo, "dataBytes" | "durationMs"> | null = null;
  for (const chunk of chunks(view)) {
    const end = chunk.id === "data" ? fileBytes : view.byteLength;
    if (chunk.offset + chunk.size > end) return invalid(`chunk '${chunk.id}' runs past the end of the file`);
    if (chunk.id === "fmt ") {
      if (chunk.size < MIN_FMT_BYTES) return invalid("fmt chunk too short");
      format = readFormat(view, chunk.offset);
      const problem = formatProblem(format);
      if (problem) return invalid(problem);
    }
    if (chunk.id === "data") {
      if (!format) return invalid("data chunk before the fmt chunk");
      const byteRate = (format.sampleRate * format.channels * format.bitsPerSample) / 8;
      const durationMs = Math.round((chunk.size / byteRate) * 1000);
      return { ok: true, info: { ...format, dataBytes: chunk.size, durationMs } };
    }
  }
  return invalid(format ? "no data chunk" : "no fmt chunk");
}

function* chunks(view: DataView): Generator<Chunk> {
  let offset = RIFF_HEADER_BYTES;
  while (offset + CHUNK_HEADER_BYTES <= view.byteLength) {
    const size = view.getUint32(offset + 4, true);
    yield { id: fourCC(view, offset), offset: offset + CHUNK_HEADER_BYTES, size };
    // Chunks are padded to an even length.
    offset += CHUNK_HEADER_BYTES + size + (size % 2);
  }
}

function readFormat(view: DataView, offset: number): Omit<WavInfo, "dataBytes" | "durationMs"> {
  return {
    audioFormat: view.getUint16(offset, true),
    channels: view.getUint16(offset + 2, true),
    sampleRate: view.getUint32(offset + 4, true),
    bitsPerSample: view.getUint16(offset + 14, true),
  };
}

function formatProblem(format: Omit<WavInfo, "dataBytes" | "durationMs">): string | null {
  if (format.channels === 0) return "fmt chunk declares no channels";
  if (format.sampleRate === 0) return "fmt chunk declares a sample rate of 0";
  if (format.bitsPerSample === 0) return "fmt chunk declares 0 bits per sample";
  return null;
}

function fourCC(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset),
    view.getUint8(offset + 1),
    view.getUint8(offset + 2),
    view.getUint8(offset + 3),
  );
}

function invalid(problem: string): WavCheck {
  return { ok: false, problem };
}
