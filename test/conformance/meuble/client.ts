import { expect, inject } from "vitest";
import { registerUser } from "../../support/accounts.js";
import { type RestResponse, rest } from "../../support/http.js";

/** Meuble de France is mounted at the root (where paths are free) and whole under /meuble. */
export const BASE = "/meuble";

export function freshIp(): string {
  const byte = () => Math.floor(Math.random() * 254) + 1;
  return `10.${byte()}.${byte()}.${byte()}`;
}

export type Caller = { headers: Record<string, string> };

export function meuble(
  method: string,
  path: string,
  caller: Caller | null,
  options: { body?: unknown; rawBody?: RequestInit["body"]; headers?: Record<string, string>; base?: string } = {},
): Promise<RestResponse> {
  return rest(method, `${options.base ?? ""}${path}`, {
    headers: { "cf-connecting-ip": freshIp(), ...caller?.headers, ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.rawBody === undefined ? {} : { rawBody: options.rawBody }),
  });
}

export type MeubleUser = { email: string; password: string; caller: Caller; refreshToken: string };

/** Logs in through POST /api/auth/login, the documented way. */
export async function login(email: string, password: string): Promise<MeubleUser> {
  const response = await meuble("POST", "/api/auth/login", null, { body: { email, password } });
  expect(response.status, response.text).toBe(200);
  const body = response.body as { access_token: string; refresh_token: string };
  return {
    email,
    password,
    caller: { headers: { authorization: `Bearer ${body.access_token}` } },
    refreshToken: body.refresh_token,
  };
}

/** A new organisation with its owner (an admin), logged in through Meuble's login. */
export async function newTenant(label: string): Promise<MeubleUser> {
  const user = await registerUser(label);
  return login(user.email, user.password);
}

export function demoUser(): Promise<MeubleUser> {
  return login(inject("demoEmail"), inject("demoPassword"));
}

/** The document's error envelope. */
export function expectError(response: RestResponse, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body).toMatchObject({ success: false, error: code, detail: expect.any(String) });
  expect((response.body as { request_id: unknown }).request_id).toEqual(expect.any(String));
}

/** Smallest real JPEG header bytes followed by filler: enough for the magic-number check. */
export function jpegBytes(size = 2048): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  bytes[size - 2] = 0xff;
  bytes[size - 1] = 0xd9;
  return bytes;
}

/** An MP4 file's first box (`ftyp`, brand isom). */
export function mp4Bytes(size = 4096): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set([0x00, 0x00, 0x00, 0x20, ...new TextEncoder().encode("ftypisom")]);
  return bytes;
}

export function uploadForm(bytes: Uint8Array<ArrayBuffer>, type: string, name: string, description?: string): FormData {
  const form = new FormData();
  form.append("file", new Blob([bytes], { type }), name);
  if (description) form.append("description", description);
  return form;
}

export async function upload(caller: Caller, bytes = jpegBytes(), type = "image/jpeg"): Promise<string> {
  const response = await meuble("POST", "/api/upload", caller, { rawBody: uploadForm(bytes, type, "photo.jpg") });
  expect(response.status, response.text).toBe(200);
  return (response.body as { file_id: string }).file_id;
}
