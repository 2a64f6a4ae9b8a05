import type { R2Bucket, R2ObjectBody } from "@cloudflare/workers-types/latest";
import { uploads } from "@switchboard/schema";
import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { randomToken } from "../identity/secrets.js";
import { DomainError, NotFoundError } from "../shared/errors.js";
import { declaredTypeAgrees, type SniffedType, sniffFileType } from "./file-types.js";

export type Upload = typeof uploads.$inferSelect;

/** The largest photo or video a customer may attach (the document's 10 MB per file). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const UPLOAD_CODE = /^upload_[A-Za-z0-9_-]{8,64}$/;

/** A file that is not a recognised image or video, or whose declared type contradicts its bytes. */
export class UnsupportedFileTypeError extends DomainError {
  constructor(message: string) {
    super("UNSUPPORTED_FILE_TYPE", message);
  }
}

export class FileTooLargeError extends DomainError {
  constructor(readonly limitBytes: number) {
    super("FILE_TOO_LARGE", `File exceeds maximum size of ${(limitBytes / 1024 / 1024).toFixed(1)}MB`);
  }
}

export type NewUpload = {
  bytes: Uint8Array;
  fileName?: string | undefined;
  declaredType?: string | undefined;
  description?: string | undefined;
  uploadedByUserId?: string | null | undefined;
};

/** Where an upload lives in R2: per organisation, so a key never crosses tenants. */
function storageKey(orgId: string, code: string, type: SniffedType): string {
  return `uploads/${orgId}/${code}.${type.extension}`;
}

/**
 * Stores a customer's photo or video: type from the bytes (the declared type must agree), at most 10 MB, into
 * R2 then a row naming it. The row comes second so a failed write leaves no upload pointing at nothing.
 */
export async function storeUpload(db: Database, bucket: R2Bucket, orgId: string, file: NewUpload): Promise<Upload> {
  if (file.bytes.byteLength > MAX_UPLOAD_BYTES) throw new FileTooLargeError(MAX_UPLOAD_BYTES);
  if (file.bytes.byteLength === 0) throw new UnsupportedFileTypeError("The file is empty");
  const type = sniffFileType(file.bytes);
  if (!type) throw new UnsupportedFileTypeError("Only images (JPEG, PNG, GIF, WebP, HEIC) and videos (MP4, MOV, WebM)");
  if (!declaredTypeAgrees(file.declaredType, type)) {
    throw new UnsupportedFileTypeError(`The file is ${type.mime}, not ${file.declaredType}`);
  }
  const code = `upload_${randomToken(12)}`;
  const key = storageKey(orgId, code, type);
  await bucket.put(key, file.bytes, {
    httpMetadata: { contentType: type.mime },
    customMetadata: { orgId, code },
  });
  const [upload] = await db
    .insert(uploads)
    .values({
      orgId,
      code,
      storageKey: key,
      fileName: file.fileName?.slice(0, 255),
      contentType: type.mime,
      sizeBytes: file.bytes.byteLength,
      description: file.description?.slice(0, 1000),
      uploadedByUserId: file.uploadedByUserId ?? null,
    })
    .returning();
  if (!upload) throw new Error("upload insert returned nothing");
  return upload;
}

export async function getUpload(db: Database, orgId: string, code: string): Promise<Upload> {
  if (!UPLOAD_CODE.test(code)) throw new NotFoundError("Upload");
  const [upload] = await db
    .select()
    .from(uploads)
    .where(and(eq(uploads.orgId, orgId), eq(uploads.code, code)));
  if (!upload) throw new NotFoundError("Upload");
  return upload;
}

/** The stored file of one of the organisation's uploads. */
export async function openUpload(
  db: Database,
  bucket: R2Bucket,
  orgId: string,
  code: string,
): Promise<{ upload: Upload; object: R2ObjectBody }> {
  const upload = await getUpload(db, orgId, code);
  const object = await bucket.get(upload.storageKey);
  if (!object) throw new NotFoundError("Upload");
  return { upload, object };
}
