import { read, type Sheet2JSONOpts, utils, type WorkBook, type WorkSheet } from "@e965/xlsx";
import { BatchFileError } from "./errors.js";

/** Limits of one upload, documented in the README (SpeechAI batches). */
/** 4 MiB fits the edge's 5 MB request cap as a multipart upload (a 10,000-row sheet is well under 1 MB). */
export const BATCH_LIMITS = { maxFileBytes: 4 * 1024 * 1024, maxRows: 10_000 } as const;

/** A cell as the spreadsheet stores it: numbers stay numbers (Excel dates are serial numbers). */
export type Cell = string | number | boolean | null;

/** One non-empty data row, numbered as Excel shows it (the header is usually row 1). */
export type SheetRow = { row: number; cells: Cell[] };

export type Sheet = {
  headers: string[];
  rows: SheetRow[];
  /** Workbooks saved on old Macs count serial dates from 1904. */
  date1904: boolean;
};

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/**
 * Reads the first sheet that has data from an .xlsx (zip) or .xls (BIFF in an OLE container) file. The format is
 * recognised by its signature: SheetJS would otherwise read any bytes as CSV or HTML and call it a sheet.
 */
export function readSheet(bytes: Uint8Array): Sheet {
  if (bytes.byteLength > BATCH_LIMITS.maxFileBytes) {
    throw new BatchFileError(
      "FILE_TOO_LARGE",
      `The file is ${bytes.byteLength} bytes; at most ${BATCH_LIMITS.maxFileBytes} bytes are accepted`,
    );
  }
  if (bytes.byteLength === 0) throw new BatchFileError("EMPTY_FILE", "The file is empty");
  if (!startsWith(bytes, ZIP_MAGIC) && !startsWith(bytes, OLE_MAGIC)) {
    throw new BatchFileError("UNSUPPORTED_FILE", "Not an Excel file: upload an .xlsx or .xls workbook");
  }
  const workbook = parseWorkbook(bytes);
  for (const name of workbook.SheetNames) {
    const sheet = workbook.Sheets[name];
    const table = sheet ? tableOf(sheet) : null;
    if (table) return { ...table, date1904: workbook.Workbook?.WBProps?.date1904 === true };
  }
  throw new BatchFileError("EMPTY_FILE", "The workbook has no rows: the sheet is empty");
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((byte, index) => bytes[index] === byte);
}

function parseWorkbook(bytes: Uint8Array): WorkBook {
  try {
    return read(bytes, {
      type: "array",
      dense: true,
      cellDates: false,
      cellFormula: false,
      cellHTML: false,
      cellStyles: false,
      cellText: false,
      // One row past the limit is enough to know the limit is exceeded, without parsing the rest.
      sheetRows: BATCH_LIMITS.maxRows + 2,
    });
  } catch (error) {
    throw new BatchFileError("UNREADABLE_FILE", `The Excel file is damaged and cannot be read (${describe(error)})`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The header (first non-empty row) and the non-empty rows under it, or null for a sheet without data. */
function tableOf(sheet: WorkSheet): Omit<Sheet, "date1904"> | null {
  const options: Sheet2JSONOpts = { header: 1, raw: true, defval: null, blankrows: true };
  const grid = utils.sheet_to_json<Cell[]>(sheet, options);
  const firstRow = sheet["!ref"] ? utils.decode_range(sheet["!ref"]).s.r + 1 : 1;
  const numbered = grid
    .map((cells, index) => ({ row: firstRow + index, cells: cells.map(cleanCell) }))
    .filter(({ cells }) => cells.some((cell) => cell !== null));
  const [header, ...rows] = numbered;
  if (!header) return null;
  if (rows.length > BATCH_LIMITS.maxRows) {
    throw new BatchFileError("TOO_MANY_ROWS", `The sheet has more than ${BATCH_LIMITS.maxRows} data rows`);
  }
  return { headers: header.cells.map((cell) => (cell === null ? "" : String(cell))), rows };
}

function cleanCell(cell: Cell | undefined): Cell {
  if (cell === undefined || cell === null) return null;
  if (typeof cell === "string") {
    const trimmed = cell.trim();
    return trimmed === "" ? null : trimmed;
  }
  return cell;
}
