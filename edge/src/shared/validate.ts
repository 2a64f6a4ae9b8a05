import type { z } from "zod";
import { issuesFrom, ValidationError } from "./errors.js";

/** Parses input at a domain boundary; failures become a typed ValidationError. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, message = "Invalid input"): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(message, issuesFrom(result.error));
  return result.data;
}
