/** `2025-10-25T17:46:04.648000`: UTC without a zone, to the microsecond, as Python's isoformat() printed it. */
export function speechAiTimestamp(date: Date): string;
export function speechAiTimestamp(date: Date | null): string | null;
export function speechAiTimestamp(date: Date | null): string | null {
  return date ? `${date.toISOString().slice(0, 23)}000` : null;
}

/** Money and minutes as the document prints them: two decimals at most. */
export function cents(value: number): number {
  return Math.round(value * 100) / 100;
}
