import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import type { Cell } from "./workbook.js";

/** A cell may hold several numbers: "9 1234 5678 / 2 2123 4567". */
const SEPARATORS = /[/;,|]| - |\by\b|\bo\b/;

/**
 * The E.164 numbers a cell holds, read as national numbers of `country` (international ones as written).
 * Numeric cells are read as digits: Excel drops a leading `+` but keeps the country code (56912345678).
 */
export function phonesIn(cell: Cell, country: CountryCode): { valid: string[]; rejected: string[] } {
  const valid: string[] = [];
  const rejected: string[] = [];
  if (cell === null) return { valid, rejected };
  const text = typeof cell === "number" ? String(Math.trunc(cell)) : String(cell);
  for (const part of text.split(SEPARATORS)) {
    const candidate = part.trim();
    if (!/\d/.test(candidate)) continue;
    const parsed = parsePhoneNumberFromString(candidate, country);
    if (parsed?.isValid()) valid.push(parsed.number);
    else rejected.push(candidate);
  }
  return { valid, rejected };
}

/**
 * Dialling order for one debtor: every mobile number before any landline (mobiles answer more often), each list
 * in row order then left to right within a cell, repeats dropped. The same file always gives the same order.
 */
export function orderPhones(mobiles: readonly string[], landlines: readonly string[]): string[] {
  return [...new Set([...mobiles, ...landlines])];
}
