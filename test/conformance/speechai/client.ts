import { expect, inject } from "vitest";
import { type RestResponse, rest } from "../../support/http.js";

/**
 * The SpeechAI surface as its frontend calls it (shared/api-docs/speechai.md, encoded here: nothing reads the
 * document), under /api/v1, with the credential this product requires (the document shows none).
 */

export const BASE = "/api/v1";

export type Credential = Record<string, string>;

/** The legacy password: the demo organisation, with billing:manage. */
export const legacyPassword = (): Credential => ({ "x-api-key": inject("apiPassword") });

export function speechAi(
  method: string,
  path: string,
  options: { credential?: Credential | null; body?: unknown; rawBody?: RequestInit["body"]; headers?: Credential } = {},
): Promise<RestResponse> {
  const credential = options.credential === undefined ? legacyPassword() : (options.credential ?? {});
  return rest(method, `${BASE}${path}`, {
    headers: { ...credential, ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.rawBody === undefined ? {} : { rawBody: options.rawBody }),
  });
}

/** The response's body after checking its status (the body is shown when it is not the expected one). */
export function expectOk<T = Record<string, unknown>>(response: RestResponse, status = 200): T {
  expect(response.status, response.text).toBe(status);
  return response.body as T;
}

/** FastAPI's envelope: `{"detail": "<message>"}`. */
export function expectDetail(response: RestResponse, status: number, pattern?: RegExp): string {
  expect(response.status, response.text).toBe(status);
  const body = response.body as { detail: unknown };
  expect(Object.keys(body)).toEqual(["detail"]);
  expect(typeof body.detail).toBe("string");
  if (pattern) expect(body.detail).toMatch(pattern);
  return body.detail as string;
}

export type ValidationItem = { loc: Array<string | number>; msg: string; type: string };

/** FastAPI's 422: `{"detail": [{loc, msg, type}]}`. */
export function expectValidation(response: RestResponse): ValidationItem[] {
  expect(response.status, response.text).toBe(422);
  const body = response.body as { detail: ValidationItem[] };
  expect(Object.keys(body)).toEqual(["detail"]);
  expect(Array.isArray(body.detail)).toBe(true);
  for (const item of body.detail) {
    expect(item).toEqual({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
  }
  return body.detail;
}

/** A fresh account of the caller's organisation: credit-based with `credits`. */
export async function createAccount(credits = 100, credential?: Credential): Promise<string> {
  const body = expectOk<{ account_id: string }>(
    await speechAi("POST", "/accounts", {
      credential,
      body: {
        account_name: `Cuenta ${crypto.randomUUID().slice(0, 6)}`,
        plan_type: "credit_based",
        initial_credits: credits,
      },
    }),
  );
  return body.account_id;
}

/** `2025-10-25T17:46:04.648000`: the document's timestamps (no zone, microseconds). */
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

/** A multipart form as the frontend's FormData example builds it: the workbook as `file`, the rest as text. */
export function excelForm(bytes: Uint8Array, fields: Record<string, string>, fileName = "contactos.xlsx"): FormData {
  const form = new FormData();
  form.append("file", new Blob([bytes]), fileName);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

export type CreatedBatch = { batch_id: string; total_jobs: number };

/** Creates a batch from a workbook on `account`, checking the documented response. */
export async function createBatch(bytes: Uint8Array, account: string, credential?: Credential): Promise<CreatedBatch> {
  const response = await speechAi("POST", "/batches/excel/create", {
    credential,
    rawBody: excelForm(bytes, { account_id: account, batch_name: "Testing GG Group", batch_description: "testing" }),
  });
  return expectOk<CreatedBatch>(response);
}
