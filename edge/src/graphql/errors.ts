import {
  AuthenticationError,
  ConflictError,
  DomainError,
  NotFoundError,
  ValidationError,
  type ValidationIssue,
} from "../shared/errors.js";
import { builder } from "./builder.js";

/** Typed errors: expected failures appear in mutation result unions instead of `errors`. */
export const ErrorInterface = builder.interfaceRef<DomainError>("Error").implement({
  fields: (t) => ({
    message: t.exposeString("message"),
    code: t.exposeString("code"),
  }),
});

const Issue = builder.objectRef<ValidationIssue>("ValidationIssue").implement({
  fields: (t) => ({
    path: t.exposeStringList("path"),
    message: t.exposeString("message"),
  }),
});

builder.objectType(NotFoundError, { name: "NotFoundError", interfaces: [ErrorInterface] });
builder.objectType(ConflictError, { name: "ConflictError", interfaces: [ErrorInterface] });
builder.objectType(AuthenticationError, { name: "AuthenticationError", interfaces: [ErrorInterface] });
builder.objectType(ValidationError, {
  name: "ValidationError",
  interfaces: [ErrorInterface],
  fields: (t) => ({ issues: t.field({ type: [Issue], resolve: (error) => error.issues }) }),
});

export { DomainError };
export const writeErrors = [ValidationError, NotFoundError, ConflictError];
