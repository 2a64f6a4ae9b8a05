/** The longest wait between two attempts, however many failed before. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/**
 * Wait before the attempt after `failedAttempts` failures: base · 2^(n-1), capped, with "equal jitter" (half
 * fixed, half random) so receivers coming back up are not hit by every sender at the same instant.
 */
export function retryDelayMs(failedAttempts: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** After a failed attempt: try again later, or give up (dead letter) once the attempts are spent. */
export function nextStepAfterFailure(attempts: number, maxAttempts: number): "retry" | "dead_letter" {
  return attempts >= maxAttempts ? "dead_letter" : "retry";
}
