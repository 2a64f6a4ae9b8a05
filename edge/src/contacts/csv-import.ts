import { contacts } from "@switchboard/schema";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import type { Database } from "../db/client.js";
import { ValidationError } from "../shared/errors.js";
import { parseInput } from "../shared/validate.js";
import { countryCode } from "./phone.js";
import { contactFields, DEFAULT_COUNTRY, existingPhones, normalise } from "./service.js";

export const MAX_IMPORT_ROWS = 10_000;
const INSERT_CHUNK = 500;

export type ImportRowError = { line: number; field: string | null; message: string };
export type ImportReport = { imported: number; failed: number; errors: ImportRowError[] };

const importInput = z.object({
  csv: z.string().min(1).max(5_000_000),
  defaultCountry: countryCode.optional(),
});

/** Header spellings accepted for each field, after lower-casing and dropping spaces, `-` and `_`. */
const HEADER_ALIASES: Record<string, string> = {
  phone: "phone",
  telephone: "phone",
  tel: "phone",
  mobile: "phone",
  phonenumber: "phone",
  firstname: "firstName",
  prenom: "firstName",
  lastname: "lastName",
  nom: "lastName",
  email: "email",
  mail: "email",
  company: "company",
  entreprise: "company",
  societe: "company",
  externalref: "externalRef",
  ref: "externalRef",
  reference: "externalRef",
  country: "country",
  pays: "country",
};

/**
 * Imports contacts from CSV with a header row. Good rows are inserted; each bad row is reported
 * with its line number, so one typo never throws away a whole file.
 */
export async function importContactsCsv(db: Database, orgId: string, input: unknown): Promise<ImportReport> {
  const { csv, defaultCountry } = parseInput(importInput, input);
  const records = readCsv(csv);
  const errors: ImportRowError[] = [];
  const rows: (ReturnType<typeof normalise> & { line: number })[] = [];
  records.forEach(({ record, line }) => {
    const row = toContact(record, line, defaultCountry ?? DEFAULT_COUNTRY, errors);
    if (row) rows.push(row);
  });
  const unique = await dropDuplicates(db, orgId, rows, errors);
  for (let start = 0; start < unique.length; start += INSERT_CHUNK) {
    const chunk = unique.slice(start, start + INSERT_CHUNK).map(({ line: _line, ...values }) => ({ ...values, orgId }));
    await db.insert(contacts).values(chunk);
  }
  errors.sort((a, b) => a.line - b.line);
  return { imported: unique.length, failed: errors.length, errors };
}

type CsvRecord = { record: Record<string, string>; line: number };

function readCsv(csv: string): CsvRecord[] {
  let records: CsvRecord[];
  try {
    // One kind of line break: csv-parse counts a CRLF inside a quoted field as two lines.
    const text = csv.replace(/\r\n?/g, "\n");
    const parsed: Array<{ record: Record<string, string>; info: { lines: number }; raw: string }> = parse(text, {
      bom: true,
      columns: (header: string[]) => header.map(canonicalHeader),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
      raw: true,
    });
    records = parsed.map(({ record, info, raw }) => ({ record, line: firstLineOf(info.lines, raw) }));
  } catch (error) {
    throw new ValidationError("The CSV could not be read", [{ path: ["csv"], message: (error as Error).message }]);
  }
  if (records.length > MAX_IMPORT_ROWS) {
    throw new ValidationError(`Too many rows: at most ${MAX_IMPORT_ROWS} per import`, [
      { path: ["csv"], message: `${records.length} rows` },
    ]);
  }
  if (records.length > 0 && !("phone" in (records[0]?.record ?? {}))) {
    throw new ValidationError("The CSV needs a phone column", [{ path: ["csv"], message: "missing header: phone" }]);
  }
  return records;
}

/**
 * The file line a record starts on (the header is line 1). csv-parse reports the line it ends on;
 * skipped blank lines and quoted line breaks mean that is not simply the record's index.
 */
function firstLineOf(lastLine: number, raw: string): number {
  const record = raw.replace(/^(?:[^\S\n]*\n)+/, "").replace(/\n$/, "");
  return lastLine - (record.match(/\n/g)?.length ?? 0);
}

function canonicalHeader(header: string): string {
  const key = header
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\s_-]/g, "");
  return HEADER_ALIASES[key] ?? `ignored:${header}`;
}

function toContact(record: Record<string, string>, line: number, defaultCountry: string, errors: ImportRowError[]) {
  const fields = Object.fromEntries(
    Object.entries(record).filter(([key, value]) => !key.startsWith("ignored:") && value !== ""),
  );
  const parsed = contactFields.safeParse({ country: defaultCountry, ...fields });
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      errors.push({ line, field: issue.path.join(".") || null, message: issue.message });
    return null;
  }
  try {
    return { ...normalise(parsed.data), line };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const issue of error.issues) errors.push({ line, field: issue.path.join("."), message: issue.message });
    return null;
  }
}

async function dropDuplicates<Row extends { phone: string; line: number }>(
  db: Database,
  orgId: string,
  rows: Row[],
  errors: ImportRowError[],
): Promise<Row[]> {
  const taken = await existingPhones(db, orgId, [...new Set(rows.map((row) => row.phone))]);
  const seen = new Set<string>();
  return rows.filter((row) => {
    const reason = taken.has(row.phone)
      ? "already exists"
      : seen.has(row.phone)
        ? "appears earlier in this file"
        : null;
    seen.add(row.phone);
    if (reason) errors.push({ line: row.line, field: "phone", message: `A contact with phone ${row.phone} ${reason}` });
    return reason === null;
  });
}
