import { describe, expect, it } from "vitest";
import { periodBound } from "./dates.js";

describe("periodBound", () => {
  it("reads a bare date as the whole UTC day", () => {
    expect(periodBound("2024-01-31", "start")?.toISOString()).toBe("2024-01-31T00:00:00.000Z");
    expect(periodBound("2024-01-31", "end")?.toISOString()).toBe("2024-01-31T23:59:59.999Z");
  });

  it("keeps a full date-time as given", () => {
    expect(periodBound("2024-01-31T10:30:00+02:00", "end")?.toISOString()).toBe("2024-01-31T08:30:00.000Z");
  });

  it("refuses impossible or other formats", () => {
    for (const value of ["2024-02-30", "2024-13-01", "31/01/2024", "yesterday", ""]) {
      expect(periodBound(value, "start"), value).toBeNull();
    }
  });
});
