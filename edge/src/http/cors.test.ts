import { describe, expect, it } from "vitest";
import { parseCorsOrigins } from "./cors.js";

describe("parseCorsOrigins", () => {
  it("splits, trims and drops trailing slashes and empty entries", () => {
    expect(parseCorsOrigins(" https://a.example/, https://b.example:8443 ,,")).toEqual([
      "https://a.example",
      "https://b.example:8443",
    ]);
    expect(parseCorsOrigins("*")).toEqual(["*"]);
    expect(parseCorsOrigins(undefined)).toEqual([]);
    expect(parseCorsOrigins("  ")).toEqual([]);
  });
});
