import type { Cell } from "./workbook.js";

/** A cell read as a field: the value, null when the cell is empty, or why it cannot be read. */
export type Read<T> = { ok: true; value: T | null } | { ok: false; reason: string };

const ok = <T>(value: T | null): Read<T> => ({ ok: true, value });
const fail = (reason: string): Read<never> => ({ ok: false, reason });

const MS_PER_DAY = 86_400_000;
/** Day 0 of Excel's 1900 system is 1899-12-30 (Excel counts a 29 Feb 1900 that never was). */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/**
 * A calendar date as `YYYY-MM-DD`. Accepts Excel serial numbers, `DD/MM/YYYY`, `DD-MM-YY` (either separator,
 * two- or four-digit year; two digits mean 20YY) and ISO `YYYY-MM-DD` (a time part is ignored).
 */
export function readDate(cell: Cell, date1904 = false): Read<string> {
  if (cell === null) return ok(null);
  if (typeof cell === "number") return fromSerial(cell, date1904);
  const text = String(cell).trim();
  if (/^\d{4,5}(\.\d+)?$/.test(text)) return fromSerial(Number(text), date1904);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(text);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]), text);
  const dayFirst = /^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$/.exec(text);
  if (dayFirst) {
    const year = Number(dayFirst[3]);
    return calendarDate(year < 100 ? 2000 + year : year, Number(dayFirst[2]), Number(dayFirst[1]), text);
  }
  return fail(`unreadable date "${text}" (expected DD/MM/YYYY, DD-MM-YY, YYYY-MM-DD or an Excel date)`);
}

function fromSerial(serial: number, date1904: boolean): Read<string> {
  // 1 is 1900-01-01; 2958465 is 9999-12-31, Excel's last date.
  if (!Number.isFinite(serial) || serial < 1 || serial > 2_958_465) return fail(`unreadable date serial ${serial}`);
  const epoch = date1904 ? EPOCH_1904 : EPOCH_1900;
  // Before Excel's phantom 1900-02-29 (serial 60), serials are one day later than the epoch suggests.
  const days = !date1904 && serial < 61 ? Math.floor(serial) + 1 : Math.floor(serial);
  return ok(new Date(epoch + days * MS_PER_DAY).toISOString().slice(0, 10));
}

function calendarDate(year: number, month: number, day: number, text: string): Read<string> {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return fail(`no such date "${text}"`);
  }
  return ok(date.toISOString().slice(0, 10));
}

/** `YYYY-MM-DD` plus a number of days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * An amount written the Chilean way: `.` groups thousands and `,` marks decimals (`$ 1.234.567,50`).
 * Numeric cells are taken as they are.
 */
export function readAmount(cell: Cell): Read<number> {
  if (cell === null) return ok(null);
  if (typeof cell === "number") return Number.isFinite(cell) ? ok(cell) : fail(`unreadable amount ${cell}`);
  const text = String(cell).trim();
  const bare = text.replace(/[$\s]|CLP|ARS/gi, "");
  if (!/^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/.test(bare)) {
    return fail(`unreadable amount "${text}" (use . for thousands and , for decimals)`);
  }
  return ok(Number(bare.replace(/\./g, "").replace(",", ".")));
}

/** A whole number of days (diasRetraso). */
export function readDays(cell: Cell): Read<number> {
  const amount = readAmount(cell);
  if (!amount.ok || amount.value === null) return amount;
  if (!Number.isInteger(amount.value) || amount.value < 0) return fail(`days late must be a whole number ≥ 0`);
  return amount;
}

/** A RUT or DNI with dots, dashes and spaces removed (upper-case check digit `K`), the key rows are grouped by. */
export function readRut(cell: Cell): Read<string> {
  if (cell === null) return ok(null);
  const key = String(cell)
    .replace(/[.\-\s]/g, "")
    .toUpperCase();
  if (!/^\d{1,9}[0-9K]?$/.test(key)) return fail(`unreadable RUT "${String(cell)}"`);
  return ok(key);
}

export function readText(cell: Cell): string | null {
  if (cell === null) return null;
  const text = String(cell).trim();
  return text === "" ? null : text;
}
