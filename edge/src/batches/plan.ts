import type { CountryCode } from "libphonenumber-js";
import { type BatchField, type ColumnMap, matchColumns } from "./columns.js";
import { BatchFileError } from "./errors.js";
import { orderPhones, phonesIn } from "./phones.js";
import type { UseCase } from "./use-cases.js";
import { addDays, type Read, readAmount, readDate, readDays, readRut, readText } from "./values.js";
import type { Cell, Sheet, SheetRow } from "./workbook.js";

/** Days added after the latest due date and its days late to give the payment deadline (fecha_limite). */
export const DEADLINE_GRACE_DAYS = 3;

export type RowStatus = "valid" | "invalid" | "duplicate";
/** What became of one row of the file; `row` is the number Excel shows. */
export type RowOutcome = { row: number; status: RowStatus; reasons: string[]; key: string | null };

/** One debtor (or marketing contact): all the rows that share a RUT, or a phone when there is no RUT. */
export type Debtor = {
  key: string;
  rut: string | null;
  name: string | null;
  company: string | null;
  phones: string[];
  /** Sum of the rows' amounts. */
  amount: number;
  /** How many rows (coupons) were grouped. */
  coupons: number;
  dueDate: string | null;
  daysLate: number;
  deadline: string | null;
  rows: number[];
};

export type BatchPlan = { columns: ColumnMap; debtors: Debtor[]; outcomes: RowOutcome[] };

export type PlanOptions = {
  country: CountryCode;
  useCase: UseCase;
  /** Today, `YYYY-MM-DD`, for `deadlineDays`. */
  today: string;
  /** dias_fecha_limite: when set, the deadline is today + N for everyone. */
  deadlineDays?: number | undefined;
};

type ParsedRow = {
  row: number;
  rut: string | null;
  name: string | null;
  company: string | null;
  amount: number;
  dueDate: string | null;
  daysLate: number;
  mobiles: string[];
  landlines: string[];
  rejectedPhones: string[];
};

/** Reads, validates and groups the rows of a sheet. Pure: duplicates against the database are marked later. */
export function planBatch(sheet: Sheet, options: PlanOptions): BatchPlan {
  const columns = matchColumns(sheet.headers);
  requireColumns(columns, options.useCase);
  const outcomes: RowOutcome[] = [];
  const parsed: ParsedRow[] = [];
  for (const row of sheet.rows) {
    const result = parseRow(row, columns, sheet.date1904, options);
    if ("reasons" in result) outcomes.push({ row: row.row, status: "invalid", reasons: result.reasons, key: null });
    else parsed.push(result);
  }
  const debtors: Debtor[] = [];
  for (const group of groupRows(parsed)) {
    const debtor = toDebtor(group, options);
    if (debtor.phones.length > 0) {
      debtors.push(debtor);
      for (const row of group) outcomes.push({ row: row.row, status: "valid", reasons: [], key: debtor.key });
    } else {
      const reason = noPhoneReason(group, options.country);
      for (const row of group) outcomes.push({ row: row.row, status: "invalid", reasons: [reason], key: debtor.key });
    }
  }
  outcomes.sort((a, b) => a.row - b.row);
  const plan = { columns, debtors, outcomes };
  return excludeDuplicates(plan, sharedPhones(debtors));
}

function requireColumns(columns: ColumnMap, useCase: UseCase): void {
  const missing: string[] = [];
  if (useCase.requiresRut && columns.rut === undefined) missing.push("RUT");
  if (columns.mobile === undefined && columns.landline === undefined) missing.push("Teléfono móvil or Teléfono fijo");
  if (missing.length > 0) {
    throw new BatchFileError("MISSING_COLUMNS", `The sheet has no ${missing.join(" and no ")} column`);
  }
}

function parseRow(
  sheetRow: SheetRow,
  columns: ColumnMap,
  date1904: boolean,
  options: PlanOptions,
): ParsedRow | { reasons: string[] } {
  const cell = (field: BatchField): Cell => {
    const column = columns[field];
    return column === undefined ? null : (sheetRow.cells[column] ?? null);
  };
  const reasons: string[] = [];
  const take = <T>(read: Read<T>): T | null => {
    if (read.ok) return read.value;
    reasons.push(read.reason);
    return null;
  };
  const rut = take(readRut(cell("rut")));
  if (options.useCase.requiresRut && rut === null && !reasons.length) reasons.push("missing RUT");
  const amount = take(readAmount(cell("amount"))) ?? 0;
  const dueDate = take(readDate(cell("dueDate"), date1904));
  const daysLate = take(readDays(cell("daysLate"))) ?? 0;
  if (reasons.length > 0) return { reasons };
  const mobile = phonesIn(cell("mobile"), options.country);
  const landline = phonesIn(cell("landline"), options.country);
  return {
    row: sheetRow.row,
    rut,
    name: readText(cell("name")),
    company: readText(cell("company")),
    amount,
    dueDate,
    daysLate,
    mobiles: mobile.valid,
    landlines: landline.valid,
    rejectedPhones: [...mobile.rejected, ...landline.rejected],
  };
}

/** Rows grouped per RUT, or per first phone when the use case has no RUT; groups keep the file's order. */
function groupRows(rows: readonly ParsedRow[]): ParsedRow[][] {
  const groups = new Map<string, ParsedRow[]>();
  for (const row of rows) {
    const key = groupKey(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()];
}

function groupKey(row: ParsedRow): string {
  if (row.rut !== null) return `rut:${row.rut}`;
  const phone = row.mobiles[0] ?? row.landlines[0];
  // A row with neither a RUT nor a phone stands alone, and is reported invalid for its phone.
  return phone ? `phone:${phone}` : `row:${row.row}`;
}

function toDebtor(group: readonly ParsedRow[], options: PlanOptions): Debtor {
  const first = group[0];
  if (!first) throw new Error("empty group");
  const latest = latestDue(group);
  const deadline =
    options.deadlineDays !== undefined
      ? addDays(options.today, options.deadlineDays)
      : latest.dueDate
        ? addDays(latest.dueDate, latest.daysLate + DEADLINE_GRACE_DAYS)
        : null;
  return {
    key: groupKey(first),
    rut: first.rut,
    name: firstGiven(group, (row) => row.name),
    company: firstGiven(group, (row) => row.company),
    phones: orderPhones(
      group.flatMap((row) => row.mobiles),
      group.flatMap((row) => row.landlines),
    ),
    amount: roundCents(group.reduce((sum, row) => sum + row.amount, 0)),
    coupons: group.length,
    dueDate: latest.dueDate,
    daysLate: latest.daysLate,
    deadline,
    rows: group.map((row) => row.row),
  };
}

/** The row with the latest due date (the first such row on a tie); the first row when none has one. */
function latestDue(group: readonly ParsedRow[]): ParsedRow {
  let latest = group[0] as ParsedRow;
  for (const row of group) {
    if (row.dueDate !== null && (latest.dueDate === null || row.dueDate > latest.dueDate)) latest = row;
  }
  return latest;
}

function firstGiven(group: readonly ParsedRow[], pick: (row: ParsedRow) => string | null): string | null {
  for (const row of group) {
    const value = pick(row);
    if (value !== null) return value;
  }
  return null;
}

function noPhoneReason(group: readonly ParsedRow[], country: CountryCode): string {
  const rejected = group.flatMap((row) => row.rejectedPhones);
  if (rejected.length === 0) return "no phone number";
  return `no valid phone number for ${country} (${rejected.map((phone) => `"${phone}"`).join(", ")})`;
}

/**
 * Two debtors of one file with the same first phone would ring the same person twice: the later one is a
 * duplicate of the earlier (within-file duplicate; rows of one RUT are grouped, not duplicates).
 */
function sharedPhones(debtors: readonly Debtor[]): Map<string, string> {
  const firstByPhone = new Map<string, Debtor>();
  const reasons = new Map<string, string>();
  for (const debtor of debtors) {
    const phone = debtor.phones[0] as string;
    const earlier = firstByPhone.get(phone);
    if (!earlier) firstByPhone.set(phone, debtor);
    else
      reasons.set(
        debtor.key,
        `phone ${phone} already belongs to ${describeDebtor(earlier)} (row ${earlier.rows[0]}) in this file`,
      );
  }
  return reasons;
}

/** The plan without the debtors named in `reasons` (by key), whose rows become duplicates with that reason. */
export function excludeDuplicates(plan: BatchPlan, reasons: ReadonlyMap<string, string>): BatchPlan {
  if (reasons.size === 0) return plan;
  const outcomes = plan.outcomes.map((outcome) => {
    const reason = outcome.status === "valid" && outcome.key !== null ? reasons.get(outcome.key) : undefined;
    return reason ? { ...outcome, status: "duplicate" as const, reasons: [reason] } : outcome;
  });
  return { ...plan, outcomes, debtors: plan.debtors.filter((debtor) => !reasons.has(debtor.key)) };
}

function describeDebtor(debtor: Debtor): string {
  return debtor.rut ? `RUT ${debtor.rut}` : `another contact`;
}

export function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}
