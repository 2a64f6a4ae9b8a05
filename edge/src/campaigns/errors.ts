import type { CampaignStatus } from "@switchboard/schema";
import { DomainError } from "../shared/errors.js";

export type CampaignAction = "start" | "pause" | "resume" | "stop" | "delete" | "update";

/** The state machine refused an action in the campaign's current state. */
export class InvalidTransitionError extends DomainError {
  constructor(
    readonly action: CampaignAction,
    readonly from: CampaignStatus,
    message: string,
  ) {
    super("INVALID_TRANSITION", message);
  }
}

/** Well-formed input the business rules refuse: contacts or a scenario the organisation lacks, too many contacts. */
export class RejectedInputError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super("REJECTED_INPUT", message);
  }
}
