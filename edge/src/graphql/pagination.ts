import { type DefaultConnectionArguments, resolveCursorConnection } from "@pothos/plugin-relay";
import { GraphQLError } from "graphql";
import type { KeysetPage } from "../shared/keyset.js";

export const MAX_PAGE_SIZE = 100;

/** Resolves a Relay connection paged by an integer key (the rows' `number`). */
export function numberConnection<Row extends { number: number }>(
  args: DefaultConnectionArguments,
  fetch: (page: KeysetPage<number>) => Promise<Row[]>,
) {
  return resolveCursorConnection(
    { args, toCursor: (row: Row) => String(row.number), defaultSize: 20, maxSize: MAX_PAGE_SIZE },
    (page: { before?: string; after?: string; limit: number; inverted: boolean }) =>
      fetch({
        limit: page.limit,
        inverted: page.inverted,
        ...(page.after !== undefined ? { after: parseCursor(page.after) } : {}),
        ...(page.before !== undefined ? { before: parseCursor(page.before) } : {}),
      }),
  );
}

/** Resolves a Relay connection paged by a unique text key. */
export function textConnection<Row>(
  args: DefaultConnectionArguments,
  key: (row: Row) => string,
  fetch: (page: KeysetPage<string>) => Promise<Row[]>,
) {
  return resolveCursorConnection(
    { args, toCursor: key, defaultSize: 20, maxSize: MAX_PAGE_SIZE },
    (page: { before?: string; after?: string; limit: number; inverted: boolean }) => fetch(page),
  );
}

function parseCursor(cursor: string): number {
  const value = Number(cursor);
  if (!Number.isSafeInteger(value)) {
    throw new GraphQLError("Invalid cursor", { extensions: { code: "BAD_USER_INPUT" } });
  }
  return value;
}
