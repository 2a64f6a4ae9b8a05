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

const INTERNATIONAL = /^\+[1-9]\d{6,14}$/;

/**
 * An international number for surfaces that take numbers as given (VoiceERA's campaign phone_numbers):
 * normalised to E.164 when the numbering plan knows it, else kept when it has E.164's shape (the document's own
 * examples, +1234567890, are placeholders no plan accepts). Null when it is not an international number.
 */
export function toInternational(raw: string): string | null {
  const compact = raw.replace(/[\s().-]/g, "");
  if (!compact.startsWith("+")) return null;
  const parsed = parsePhoneNumberFromString(compact);
  if (parsed?.isValid()) return parsed.number;
  return INTERNATIONAL.test(compact) ? compact : null;
}
