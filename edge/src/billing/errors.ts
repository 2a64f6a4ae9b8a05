import { DomainError } from "../shared/errors.js";

/** The account cannot pay for what was asked (a batch's estimate, a refund beyond what was charged). */
export class InsufficientCreditError extends DomainError {
  constructor(
    readonly accountCode: string,
    readonly required: number,
    readonly available: number,
    message = `Insufficient credit on account ${accountCode}: ${required} required, ${available} available`,
  ) {
    super("INSUFFICIENT_CREDIT", message);
  }
}

/** The account's status does not allow the action (suspend a suspended account…). */
export class AccountStatusError extends DomainError {
  constructor(
    readonly accountCode: string,
    readonly status: "active" | "suspended",
    message: string,
  ) {
    super("INVALID_ACCOUNT_STATUS", message);
  }
}
