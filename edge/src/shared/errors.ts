/** Expected failures of the domain. GraphQL exposes them as typed results; REST maps them to ApiError. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(readonly resource: string) {
    super("NOT_FOUND", `${resource} not found`);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super("CONFLICT", message);
  }
}

export type ValidationIssue = { path: string[]; message: string };

export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super("VALIDATION_FAILED", message);
  }
}

export type AuthFailure = "INVALID_CREDENTIALS" | "ACCOUNT_LOCKED" | "INVALID_TOKEN" | "TOKEN_REUSED";

export class AuthenticationError extends DomainError {
  constructor(code: AuthFailure, message: string) {
    super(code, message);
  }
}

/** Converts zod issues into the domain's issue shape. */
export function issuesFrom(error: {
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>;
}): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
}
