/**
 * What an uploaded file really is, from its first bytes (magic numbers), whatever its name or declared type says.
 * Only the image and video formats customers send from phones and cameras are recognised.
 */
export type SniffedType = { mime: string; kind: "image" | "video"; extension: string };

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return signature.every((byte, index) => bytes[offset + index] === byte);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** ISO base media (MP4, MOV, HEIC…): `ftyp` at offset 4, then the major brand. */
function isoBrand(bytes: Uint8Array): string | null {
  return bytes.length >= 12 && ascii(bytes, 4, 8) === "ftyp" ? ascii(bytes, 8, 12) : null;
}

const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "heim", "heis", "mif1", "msf1"]);

export function sniffFileType(bytes: Uint8Array): SniffedType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { mime: "image/jpeg", kind: "image", extension: "jpg" };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { mime: "image/png", kind: "image", extension: "png" };
  }
  if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") {
    return { mime: "image/gif", kind: "image", extension: "gif" };
  }
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") {
    return { mime: "image/webp", kind: "image", extension: "webp" };
  }
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return { mime: "video/webm", kind: "video", extension: "webm" };
  const brand = isoBrand(bytes);
  if (brand) {
    if (HEIF_BRANDS.has(brand)) return { mime: "image/heic", kind: "image", extension: "heic" };
    if (brand === "qt  ") return { mime: "video/quicktime", kind: "video", extension: "mov" };
    return { mime: "video/mp4", kind: "video", extension: "mp4" };
  }
  return null;
}

/** A declared type agrees with the bytes when it names the same thing (or nothing useful). */
export function declaredTypeAgrees(declared: string | undefined, sniffed: SniffedType): boolean {
  const type = declared?.split(";")[0]?.trim().toLowerCase();
  if (!type || type === "application/octet-stream") return true;
  if (type === sniffed.mime) return true;
  const aliases: Record<string, string[]> = {
    "image/jpeg": ["image/jpg", "image/pjpeg"],
    "image/heic": ["image/heif"],
    "video/mp4": ["video/x-m4v", "video/3gpp"],
    "video/quicktime": ["video/mov"],
  };
  return aliases[sniffed.mime]?.includes(type) ?? false;
}
