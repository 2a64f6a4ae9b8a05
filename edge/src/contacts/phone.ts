import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";

/** Normalises a phone number to E.164, reading national formats in the given country. */
export function toE164(raw: string, country: string): string | null {
  const parsed = parsePhoneNumberFromString(raw, country.toUpperCase() as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

export const countryCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, "Expected a two-letter ISO country code")
  .transform((code) => code.toUpperCase());
