import { describe, expect, it } from "vitest";
import { declaredTypeAgrees, sniffFileType } from "./file-types.js";

const bytes = (...values: Array<number | string>) =>
  new Uint8Array(
    values.flatMap((value) => (typeof value === "string" ? [...value].map((c) => c.charCodeAt(0)) : [value])),
  );

describe("file types by magic number", () => {
  it("recognises the images and videos phones send", () => {
    expect(sniffFileType(bytes(0xff, 0xd8, 0xff, 0xe1))?.mime).toBe("image/jpeg");
    expect(sniffFileType(bytes(0x89, "PNG", 0x0d, 0x0a, 0x1a, 0x0a))?.mime).toBe("image/png");
    expect(sniffFileType(bytes("GIF89a"))?.mime).toBe("image/gif");
    expect(sniffFileType(bytes("RIFF", 0, 0, 0, 0, "WEBP"))?.mime).toBe("image/webp");
    expect(sniffFileType(bytes(0, 0, 0, 0x18, "ftypheic"))?.mime).toBe("image/heic");
    expect(sniffFileType(bytes(0, 0, 0, 0x18, "ftypisom"))?.mime).toBe("video/mp4");
    expect(sniffFileType(bytes(0, 0, 0, 0x14, "ftypqt  "))?.mime).toBe("video/quicktime");
    expect(sniffFileType(bytes(0x1a, 0x45, 0xdf, 0xa3))?.mime).toBe("video/webm");
  });

  it("refuses everything else, including look-alikes", () => {
    expect(sniffFileType(bytes("%PDF-1.7"))).toBeNull();
    expect(sniffFileType(bytes("RIFF", 0, 0, 0, 0, "WAVE"))).toBeNull();
    expect(sniffFileType(bytes("<svg"))).toBeNull();
    expect(sniffFileType(new Uint8Array(0))).toBeNull();
  });

  it("a declared type must name what the bytes are", () => {
    const jpeg = { mime: "image/jpeg", kind: "image", extension: "jpg" } as const;
    expect(declaredTypeAgrees("image/jpeg", jpeg)).toBe(true);
    expect(declaredTypeAgrees("image/jpg", jpeg)).toBe(true);
    expect(declaredTypeAgrees(undefined, jpeg)).toBe(true);
    expect(declaredTypeAgrees("application/octet-stream", jpeg)).toBe(true);
    expect(declaredTypeAgrees("video/mp4", jpeg)).toBe(false);
    expect(declaredTypeAgrees("image/png", jpeg)).toBe(false);
  });
});
