import type { CallResult, CallStatus } from "@switchboard/schema";

export type RetryPolicy = {
  retryEnabled: boolean;
  retryNoAnswerDelaySeconds: number;
  retryBusyDelaySeconds: number;
};

export type UnansweredDecision =
  | { kind: "retry"; status: "scheduled"; nextAttemptAt: Date }
  | { kind: "final"; status: Extract<CallStatus, "no_answer" | "busy">; result: Extract<CallResult, "no_answer"> };

/**
 * MiniBotPanel's retry rule: an unanswered dial is tried again after the campaign's no-answer delay (busy:
 * its busy delay, 5 min by default) while dials remain; then the call ends with the result `no_answer`
 * (busy counts as no answer). Calls outside a campaign have no policy and are not retried.
 */
export function decideAfterUnanswered(input: {
  status: "no_answer" | "busy";
  dialsSoFar: number;
  maxAttempts: number;
  policy: RetryPolicy | null;
  now: Date;
}): UnansweredDecision {
  const { policy } = input;
  if (policy?.retryEnabled && input.dialsSoFar < input.maxAttempts) {
    const delaySeconds = input.status === "busy" ? policy.retryBusyDelaySeconds : policy.retryNoAnswerDelaySeconds;
    return { kind: "retry", status: "scheduled", nextAttemptAt: new Date(input.now.getTime() + delaySeconds * 1000) };
  }
  return { kind: "final", status: input.status, result: "no_answer" };
}
