const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A period bound from a query parameter: a full ISO date-time as given; a date alone (UTC) means the start of
 * that day for a start bound and its last instant (23:59:59.999) for an end bound. Null when unreadable.
 */
export function periodBound(value: string, side: "start" | "end"): Date | null {
  const text = value.trim();
  if (DATE_ONLY.test(text)) {
    const day = new Date(`${text}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text) return null;
    return side === "start" ? day : new Date(day.getTime() + 24 * 60 * 60 * 1000 - 1);
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return null;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
