import type { CampaignStatus } from "@switchboard/schema";
import { type CampaignAction, InvalidTransitionError } from "./errors.js";

export type LifecycleAction = Exclude<CampaignAction, "update">;
/** Where an action leads; `deleted` removes the campaign. */
export type LifecycleTarget = CampaignStatus | "deleted";

type Rule = { from: readonly CampaignStatus[]; to: LifecycleTarget; refusal: (from: CampaignStatus) => string };

/** MiniBotPanel's state rules, shared by every surface. */
const RULES: Record<LifecycleAction, Rule> = {
  start: {
    from: ["pending", "paused"],
    to: "running",
    refusal: (from) => (from === "running" ? "Campaign is already running" : `Cannot start a ${from} campaign`),
  },
  pause: {
    from: ["running"],
    to: "paused",
    refusal: (from) => `Only running campaigns can be paused (campaign is ${from})`,
  },
  resume: {
    from: ["paused"],
    to: "running",
    refusal: (from) => `Only paused campaigns can be resumed (campaign is ${from})`,
  },
  stop: {
    from: ["pending", "running", "paused"],
    to: "cancelled",
    refusal: (from) => `Campaign is already ${from}`,
  },
  delete: {
    from: ["pending"],
    to: "deleted",
    refusal: (from) => `Only pending campaigns can be deleted (campaign is ${from})`,
  },
};

/** The status an action leads to from `from`, or InvalidTransitionError. */
export function transition(action: LifecycleAction, from: CampaignStatus): LifecycleTarget {
  const rule = RULES[action];
  if (!rule.from.includes(from)) throw new InvalidTransitionError(action, from, rule.refusal(from));
  return rule.to;
}

/** Fields an update may change in each state: everything before launch or while paused, only pacing while running. */
export function editableFields(status: CampaignStatus): "all" | "concurrency" | "none" {
  if (status === "pending" || status === "paused") return "all";
  return status === "running" ? "concurrency" : "none";
}

/** Actions after which the campaign's dialer has work: dial (start, resume) or settle (stop). */
export function actionWakesDialer(action: LifecycleAction): boolean {
  return action === "start" || action === "resume" || action === "stop";
}

/** How the campaign service reaches a campaign's dialer; the edge passes its Durable Object. */
export type DialerWake = (campaignId: string) => void;
