import { describe, expect, it } from "vitest";
import { debtorRows, MESSY_HEADERS, workbookBytes } from "../../../test/support/excel.js";
import { BatchFileError } from "./errors.js";
import { type PlanOptions, planBatch } from "./plan.js";
import { useCaseById } from "./use-cases.js";
import { BATCH_LIMITS, readSheet } from "./workbook.js";

const chile: PlanOptions = { country: "CL", useCase: useCaseById("debt_collection"), today: "2025-11-10" };

function problemOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof BatchFileError) return error.problem;
    throw error;
  }
  return "no error";
}

describe("reading workbooks", () => {
  it("reads .xlsx and .xls alike, numbering rows as Excel does", () => {
    const rows = [
      ["RUT", "Celular"],
      ["11.111.111-1", "912345678"],
      [null, null],
      ["22.222.222-2", 56_922_222_222],
    ];
    for (const format of ["xlsx", "xls"] as const) {
      const sheet = readSheet(workbookBytes(rows, format));
      expect(sheet.headers).toEqual(["RUT", "Celular"]);
      expect(sheet.rows).toEqual([
        { row: 2, cells: ["11.111.111-1", "912345678"] },
        { row: 4, cells: ["22.222.222-2", 56_922_222_222] },
      ]);
    }
  });

  it("takes the first sheet with data", () => {
    const bytes = workbookBytes({
      Vacia: [],
      Datos: [
        ["RUT", "Celular"],
        ["1-9", "912345678"],
      ],
    });
    expect(readSheet(bytes).rows).toHaveLength(1);
  });

  it("refuses an empty sheet, a corrupt file, a non-Excel file and an oversized one", () => {
    expect(problemOf(() => readSheet(workbookBytes([[]])))).toBe("EMPTY_FILE");
    expect(problemOf(() => readSheet(new Uint8Array()))).toBe("EMPTY_FILE");
    const truncated = workbookBytes(debtorRows(50)).slice(0, 900);
    expect(problemOf(() => readSheet(truncated))).toBe("UNREADABLE_FILE");
    const xls = workbookBytes(debtorRows(5), "xls");
    const damagedXls = xls.map((byte, index) => (index > 512 ? 0xff : byte));
    expect(problemOf(() => readSheet(damagedXls))).toBe("UNREADABLE_FILE");
    expect(problemOf(() => readSheet(new TextEncoder().encode("RUT,Celular\n1-9,912345678")))).toBe("UNSUPPORTED_FILE");
    expect(problemOf(() => readSheet(new Uint8Array(BATCH_LIMITS.maxFileBytes + 1)))).toBe("FILE_TOO_LARGE");
  });

  it("refuses more rows than the limit", () => {
    const rows = [["RUT", "Celular"], ...Array.from({ length: BATCH_LIMITS.maxRows + 1 }, (_, i) => [`${i}`, "1"])];
    expect(problemOf(() => readSheet(workbookBytes(rows)))).toBe("TOO_MANY_ROWS");
  });
});

describe("planning a batch", () => {
  it("groups rows per RUT: coupons counted, amounts summed, latest due date and its deadline", () => {
    const rows = [
      MESSY_HEADERS,
      ["12.345.678-9", "Juan Pérez", "Retail Express", "1.000,50", "01/10/2025", 10, "9 1111 1111", "22 123 4567"],
      ["12345678-9", null, null, "2.000", 45_962, 3, "912222222", null],
      ["9.876.543-2", "Ana Soto", "Retail Express", 500, "2025-09-15", 0, null, "221234568"],
    ];
    const plan = planBatch(readSheet(workbookBytes(rows)), chile);
    expect(plan.debtors).toEqual([
      {
        key: "rut:123456789",
        rut: "123456789",
        name: "Juan Pérez",
        company: "Retail Express",
        phones: ["+56911111111", "+56912222222", "+56221234567"],
        amount: 3000.5,
        coupons: 2,
        dueDate: "2025-11-01",
        daysLate: 3,
        deadline: "2025-11-07",
        rows: [2, 3],
      },
      expect.objectContaining({ key: "rut:98765432", phones: ["+56221234568"], coupons: 1, deadline: "2025-09-18" }),
    ]);
    expect(plan.outcomes.map((outcome) => outcome.status)).toEqual(["valid", "valid", "valid"]);
  });

  it("sets every deadline to today + N when dias_fecha_limite is given", () => {
    const plan = planBatch(readSheet(workbookBytes(debtorRows(2))), { ...chile, deadlineDays: 5 });
    expect(plan.debtors.map((debtor) => debtor.deadline)).toEqual(["2025-11-15", "2025-11-15"]);
  });

  it("reports each invalid row with its reasons", () => {
    const rows = [
      ["RUT", "Celular", "Teléfono fijo", "Saldo actualizado", "FechaVencimiento"],
      [null, "912345678", null, "1.000", "01/10/2025"],
      ["1-9", "12345", "999", "1.000", "01/10/2025"],
      ["2-7", "912345670", null, "1,000.00", "31/02/2025"],
      ["3-5", "912345671", null, "100", "01-10-25"],
    ];
    const plan = planBatch(readSheet(workbookBytes(rows)), chile);
    expect(plan.outcomes).toEqual([
      { row: 2, status: "invalid", reasons: ["missing RUT"], key: null },
      { row: 3, status: "invalid", reasons: ['no valid phone number for CL ("12345", "999")'], key: "rut:19" },
      {
        row: 4,
        status: "invalid",
        reasons: [expect.stringContaining("unreadable amount"), expect.stringContaining("no such date")],
        key: null,
      },
      { row: 5, status: "valid", reasons: [], key: "rut:35" },
    ]);
    expect(plan.debtors.map((debtor) => debtor.rut)).toEqual(["35"]);
  });

  it("marks a second debtor with the same phone as a duplicate within the file", () => {
    const rows = [
      ["RUT", "Celular"],
      ["1-9", "912345678"],
      ["2-7", "+56 9 1234 5678"],
    ];
    const plan = planBatch(readSheet(workbookBytes(rows)), chile);
    expect(plan.outcomes[1]).toMatchObject({ row: 3, status: "duplicate" });
    expect(plan.outcomes[1]?.reasons[0]).toContain("RUT 19 (row 2)");
    expect(plan.debtors).toHaveLength(1);
  });

  it("groups marketing rows without a RUT by phone, in Argentina", () => {
    const rows = [
      ["Nombre", "Celular"],
      ["Ana", "011 15 2345-6789"],
      ["Ana B.", "+54 9 11 2345-6789"],
      ["Luis", "0351 15 123-4567"],
    ];
    const plan = planBatch(readSheet(workbookBytes(rows)), {
      ...chile,
      country: "AR",
      useCase: useCaseById("marketing"),
    });
    expect(plan.debtors.map((debtor) => [debtor.phones, debtor.coupons, debtor.name])).toEqual([
      [["+5491123456789"], 2, "Ana"],
      [["+5493511234567"], 1, "Luis"],
    ]);
  });

  it("needs a RUT column for debt collection and a phone column always", () => {
    expect(
      problemOf(() =>
        planBatch(
          readSheet(
            workbookBytes([
              ["Nombre", "Celular"],
              ["A", "9"],
            ]),
          ),
          chile,
        ),
      ),
    ).toBe("MISSING_COLUMNS");
    expect(
      problemOf(() =>
        planBatch(
          readSheet(
            workbookBytes([
              ["RUT", "Nombre"],
              ["1-9", "A"],
            ]),
          ),
          chile,
        ),
      ),
    ).toBe("MISSING_COLUMNS");
  });
});
