import type { ZodError } from "zod";
import type { ValidationIssue } from "../../shared/errors.js";

/**
 * FastAPI's 422 details, shared by the surfaces whose legacy backend was FastAPI (MiniBotPanel, SpeechAI): each
 * renders them in its own envelope.
 */

/** FastAPI's 422 detail item: where, what, and a pydantic-style type. */
export type ValidationDetail = { loc: Array<string | number>; msg: string; type: string };

/** Domain validation issues (already without a location prefix) are body fields. */
export function detailsFromDomain(issues: ValidationIssue[]): ValidationDetail[] {
  return issues.map((issue) => ({
    loc: ["body", ...issue.path],
    msg: issue.message,
    type: "value_error",
  }));
}

const LOCATION: Record<string, string> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "header",
};

/** Turns a zod failure on one request part into FastAPI-shaped details; `input` tells missing from mistyped. */
export function validationDetails(error: ZodError, target: string, input: unknown): ValidationDetail[] {
  const where = LOCATION[target] ?? target;
  return error.issues.flatMap((issue) => {
    const loc = [where, ...issue.path.map((part) => (typeof part === "number" ? part : String(part)))];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        loc: [...loc, key],
        msg: "extra fields not permitted",
        type: "value_error.extra",
      }));
    }
    return [{ loc, ...describe(issue, isPresent(input, issue.path)) }];
  });
}

type Issue = ZodError["issues"][number];

/** zod 4 leaves the input out of its issues, so presence is read from the request itself. */
function isPresent(input: unknown, path: readonly PropertyKey[]): boolean {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== "object" || !(key in value)) return false;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value !== undefined;
}

function describe(issue: Issue, present: boolean): { msg: string; type: string } {
  switch (issue.code) {
    case "invalid_type":
      if (!present) return { msg: "field required", type: "value_error.missing" };
      return {
        msg: `value is not a valid ${typeName(issue.expected)}`,
        type: `type_error.${typeName(issue.expected)}`,
      };
    case "too_small":
      return bound(issue.origin, "min", issue.minimum);
    case "too_big":
      return bound(issue.origin, "max", issue.maximum);
    case "invalid_value":
      return {
        msg: `value is not a valid enumeration member; permitted: ${issue.values.map((v) => `'${String(v)}'`).join(", ")}`,
        type: "type_error.enum",
      };
    default:
      return { msg: issue.message, type: `value_error.${issue.code}` };
  }
}

function typeName(expected: string): string {
  return expected === "int" ? "integer" : expected === "boolean" ? "bool" : expected;
}

function bound(origin: string, side: "min" | "max", limit: number | bigint): { msg: string; type: string } {
  const value = String(limit);
  if (origin === "string") {
    return side === "min"
      ? { msg: `ensure this value has at least ${value} characters`, type: "value_error.any_str.min_length" }
      : { msg: `ensure this value has at most ${value} characters`, type: "value_error.any_str.max_length" };
  }
  if (origin === "array" || origin === "set") {
    return side === "min"
      ? { msg: `ensure this value has at least ${value} items`, type: "value_error.list.min_items" }
      : { msg: `ensure this value has at most ${value} items`, type: "value_error.list.max_items" };
  }
  return side === "min"
    ? { msg: `ensure this value is greater than or equal to ${value}`, type: "value_error.number.not_ge" }
    : { msg: `ensure this value is less than or equal to ${value}`, type: "value_error.number.not_le" };
}
