/** MiniBotPanel's wire formats: naive UTC timestamps with microseconds, one-decimal strings. */

/** `2025-01-15T14:00:00.000000` (UTC, no zone, as the legacy Python isoformat printed it). */
export function legacyTimestamp(date: Date): string;
export function legacyTimestamp(date: Date | null): string | null;
export function legacyTimestamp(date: Date | null): string | null {
  return date ? `${date.toISOString().slice(0, 23)}000` : null;
}

/** `"26.4%"`, or `"0%"` when there is nothing to divide by. */
export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : "0%";
}

/** `"124.5s"`. */
export function seconds(value: number): string {
  return `${value.toFixed(1)}s`;
}

/** `"180.5min"`. */
export function minutes(totalSeconds: number): string {
  return `${(totalSeconds / 60).toFixed(1)}min`;
}

/** `"5h 32m"`. */
export function uptime(ms: number): string {
  const totalMinutes = Math.floor(ms / 60_000);
  return `${Math.floor(totalMinutes / 60)}h ${totalMinutes % 60}m`;
}
