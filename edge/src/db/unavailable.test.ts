import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./unavailable.js";

function pgError(code: string, message = "server error"): Error {
  return Object.assign(new Error(message), { code });
}

describe("isDatabaseUnavailable", () => {
  it("recognises a pooler or server out of connections, and a lost connection", () => {
    expect(isDatabaseUnavailable(pgError("53300", "sorry, too many clients already"))).toBe(true);
    expect(isDatabaseUnavailable(pgError("57P03", "the database system is starting up"))).toBe(true);
    expect(isDatabaseUnavailable(pgError("08006"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
  });

  it("looks through drizzle's wrapping to the driver's error", () => {
    const wrapped = new Error("Failed query: select 1", { cause: pgError("53300") });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  it("leaves bugs and bad data alone", () => {
    expect(isDatabaseUnavailable(pgError("23505", "duplicate key value"))).toBe(false);
    expect(isDatabaseUnavailable(pgError("42P01", "relation does not exist"))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable("a string")).toBe(false);
  });
});
