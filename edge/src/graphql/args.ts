import type { builder } from "./builder.js";

/** GraphQL passes explicit nulls for omitted optionals; the domain's zod schemas expect them absent. */
export function withoutNulls<T extends object>(args: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null && value !== undefined)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };
}

/** The field builder an input type's `fields` callback receives, for input fields shared by several types. */
export type InputFieldBuilder = Parameters<Parameters<typeof builder.inputType>[1]["fields"]>[0];
