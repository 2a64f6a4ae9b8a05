import type { Context } from "hono";
import type { z } from "zod";
import type { AppBindings } from "../../http/app-types.js";
import { issuesFrom, ValidationError } from "../../shared/errors.js";
import { meubleError } from "./errors.js";

/** The JSON body, validated: malformed JSON and wrong fields are 400s naming what is wrong. */
export async function jsonBody<T extends z.ZodType>(c: Context<AppBindings>, schema: T): Promise<z.output<T>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw meubleError("invalid_request", 400, "The body must be valid JSON");
  }
  return parse(schema, body, "Invalid request body");
}

export function parse<T extends z.ZodType>(schema: T, value: unknown, message: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(message, issuesFrom(result.error));
  return result.data;
}

/** The multipart form, or 400 when the body is not one. */
export async function formBody(c: Context<AppBindings>): Promise<FormData> {
  try {
    return await c.req.formData();
  } catch {
    throw meubleError("invalid_request", 400, "The body must be multipart/form-data");
  }
}

/** A file field of the form, as bytes with its name and declared type. */
export async function fileField(
  form: FormData,
  field: string,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; fileName: string; declaredType: string }> {
  const value = form.get(field);
  if (!value || typeof value === "string") {
    throw new ValidationError("Missing file", [{ path: [field], message: "A file is required" }]);
  }
  return { bytes: new Uint8Array(await value.arrayBuffer()), fileName: value.name, declaredType: value.type };
}

export function textField(form: FormData, field: string): string | undefined {
  const value = form.get(field);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
