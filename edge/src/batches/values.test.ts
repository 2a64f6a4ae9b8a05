import { describe, expect, it } from "vitest";
import { matchColumns, normaliseHeader } from "./columns.js";
import { orderPhones, phonesIn } from "./phones.js";
import { readAmount, readDate, readDays, readRut } from "./values.js";

describe("column matching", () => {
  it("ignores case, accents, spaces, dashes and underscores", () => {
    expect(normaliseHeader(" Teléfono_Móvil ")).toBe("telefonomovil");
    expect(normaliseHeader("Fecha-Vencimiento")).toBe("fechavencimiento");
  });

  it("maps every known header, in any order", () => {
    const map = matchColumns([
      "Celular",
      "RUTS",
      "Nombre",
      "Empresa",
      "Saldo actualizado",
      "FechaVencimiento",
      "diasRetraso",
      "Residencial",
    ]);
    expect(map).toEqual({ mobile: 0, rut: 1, name: 2, company: 3, amount: 4, dueDate: 5, daysLate: 6, landline: 7 });
  });

  it("prefers an exact match over a substring match, wherever the columns are", () => {
    const map = matchColumns(["Celular de respaldo", "RUT", "Celular"]);
    expect(map.mobile).toBe(2);
    expect(matchColumns(["Nombre Empresa", "Nombre"]).name).toBe(1);
  });

  it("falls back to a substring match, leftmost first, and leaves unknown columns out", () => {
    expect(matchColumns(["Notas", "RUT cliente", "Saldo actualizado al 30/10", "Celular 1", "Celular 2"])).toEqual({
      rut: 1,
      amount: 2,
      mobile: 3,
    });
  });

  it("does not give one column to two fields", () => {
    // "Origen Empresa" names company exactly; the substring rule may not take it again for another field.
    const map = matchColumns(["Origen Empresa", "Empresa"]);
    expect(map.company).toBe(0);
    expect(Object.values(map)).toHaveLength(1);
  });
});

describe("dates", () => {
  it("reads Excel serials in the 1900 and 1904 systems", () => {
    expect(readDate(45_962)).toEqual({ ok: true, value: "2025-11-01" });
    expect(readDate(1)).toEqual({ ok: true, value: "1900-01-01" });
    expect(readDate(45_962 - 1462, true)).toEqual({ ok: true, value: "2025-11-01" });
    expect(readDate("45962")).toEqual({ ok: true, value: "2025-11-01" });
  });

  it("reads DD/MM/YYYY, DD-MM-YY and ISO", () => {
    expect(readDate("05/11/2025")).toEqual({ ok: true, value: "2025-11-05" });
    expect(readDate("5-11-25")).toEqual({ ok: true, value: "2025-11-05" });
    expect(readDate("2025-11-05")).toEqual({ ok: true, value: "2025-11-05" });
    expect(readDate("2025-11-05T10:00:00Z")).toEqual({ ok: true, value: "2025-11-05" });
  });

  it("rejects impossible and unknown dates with a reason, and treats an empty cell as none", () => {
    expect(readDate("31/02/2025")).toMatchObject({ ok: false, reason: expect.stringContaining("no such date") });
    expect(readDate("next tuesday")).toMatchObject({ ok: false, reason: expect.stringContaining("unreadable date") });
    expect(readDate(null)).toEqual({ ok: true, value: null });
  });
});

describe("amounts", () => {
  it("reads . as thousands and , as decimals", () => {
    expect(readAmount("1.234.567,50")).toEqual({ ok: true, value: 1_234_567.5 });
    expect(readAmount("$ 15.000")).toEqual({ ok: true, value: 15_000 });
    expect(readAmount("1500,5")).toEqual({ ok: true, value: 1500.5 });
    expect(readAmount(1500.25)).toEqual({ ok: true, value: 1500.25 });
  });

  it("refuses the other convention instead of guessing", () => {
    expect(readAmount("1,234.50").ok).toBe(false);
    expect(readAmount("12.34").ok).toBe(false);
    expect(readDays("2,5").ok).toBe(false);
  });
});

describe("RUT", () => {
  it("drops dots and dashes and upper-cases the check digit", () => {
    expect(readRut("12.345.678-k")).toEqual({ ok: true, value: "12345678K" });
    expect(readRut(12345678)).toEqual({ ok: true, value: "12345678" });
    expect(readRut("not a rut").ok).toBe(false);
  });
});

describe("phones", () => {
  it("normalises Chilean numbers to E.164, from text or numeric cells", () => {
    expect(phonesIn("9 1234 5678", "CL").valid).toEqual(["+56912345678"]);
    expect(phonesIn(56_912_345_678, "CL").valid).toEqual(["+56912345678"]);
    expect(phonesIn("+56 9 1234 5678 / 2 2123 4567", "CL").valid).toEqual(["+56912345678", "+56221234567"]);
  });

  it("reads Argentinian national formats, mobile 15 prefix included", () => {
    expect(phonesIn("011 15 2345-6789", "AR").valid).toEqual(["+5491123456789"]);
    expect(phonesIn("0351 15 123-4567", "AR").valid).toEqual(["+5493511234567"]);
  });

  it("reports what it could not read", () => {
    expect(phonesIn("12345", "CL")).toEqual({ valid: [], rejected: ["12345"] });
  });

  it("puts mobiles before landlines and drops repeats", () => {
    expect(orderPhones(["+56911111111", "+56922222222"], ["+56221234567", "+56911111111"])).toEqual([
      "+56911111111",
      "+56922222222",
      "+56221234567",
    ]);
  });
});
