/** The health rule, kept free of I/O so it can be tested on its own. */

/**
 * `not_configured`: an optional component that is switched off (no LLM); `unknown`: nothing could be
 * learnt about it. Neither counts as a failure.
 */
export const COMPONENT_STATUSES = ["healthy", "degraded", "unhealthy", "unknown", "not_configured"] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

export const OVERALL_STATUSES = ["healthy", "degraded", "unhealthy"] as const;
export type OverallStatus = (typeof OVERALL_STATUSES)[number];

export type ComponentVerdict = { status: ComponentStatus; critical: boolean };

/**
 * A critical component that is down (or could not be checked) makes the system unhealthy (503);
 * any other failure or degradation makes it degraded (200); otherwise it is healthy (200).
 */
export function overallStatus(components: readonly ComponentVerdict[]): OverallStatus {
  if (components.some((c) => c.critical && (c.status === "unhealthy" || c.status === "unknown"))) return "unhealthy";
  if (components.some((c) => c.status === "unhealthy" || c.status === "degraded")) return "degraded";
  return "healthy";
}

export function httpStatusOf(status: OverallStatus): 200 | 503 {
  return status === "unhealthy" ? 503 : 200;
}
