import { utils, write } from "@e965/xlsx";

/** Workbooks for the import tests and benchmark, generated with the same library the edge reads them with. */

export type FixtureCell = string | number | boolean | Date | null;

/** A one-sheet workbook (more sheets when given) as the bytes of an .xlsx or a BIFF8 .xls file. */
export function workbookBytes(
  sheets: FixtureCell[][] | Record<string, FixtureCell[][]>,
  format: "xlsx" | "xls" = "xlsx",
): Uint8Array {
  const workbook = utils.book_new();
  const named = Array.isArray(sheets) ? { Deudores: sheets } : sheets;
  for (const [name, rows] of Object.entries(named)) {
    utils.book_append_sheet(workbook, utils.aoa_to_sheet(rows), name);
  }
  // Compressed like the files Excel saves (BIFF8 .xls has no compression).
  const data: ArrayBuffer = write(workbook, {
    type: "array",
    bookType: format === "xls" ? "biff8" : "xlsx",
    compression: true,
  });
  return new Uint8Array(data);
}

/** The headers of a debt-collection file, spelled the untidy way real exports spell them. */
export const MESSY_HEADERS = [
  " RUTS ",
  "NOMBRE",
  "Origen_Empresa",
  "Saldo Actualizado ($)",
  "Fecha-Vencimiento",
  "dias Retraso",
  "Teléfono Móvil",
  "TELEFONO FIJO",
];

/**
 * `count` debtors (RUTs 10000000+i), each with `coupons` rows: valid Chilean mobiles, Chilean amounts,
 * due dates alternating between Excel serials and DD/MM/YYYY text.
 */
export function debtorRows(count: number, coupons = 1, offset = 0): FixtureCell[][] {
  const rows: FixtureCell[][] = [MESSY_HEADERS];
  for (let index = 0; index < count; index += 1) {
    const n = offset + index;
    for (let coupon = 0; coupon < coupons; coupon += 1) {
      rows.push([
        `${10_000_000 + n}-${n % 10}`,
        `Deudor ${n}`,
        "Retail Express",
        "1.500,50",
        n % 2 === 0 ? 45_962 + coupon : `0${1 + (coupon % 9)}/11/2025`,
        5,
        `9${String(10_000_000 + n).slice(-8)}`,
        `22${String(1_000_000 + n).slice(-7)}`,
      ]);
    }
  }
  return rows;
}
