import SchemaBuilder from "@pothos/core";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import ErrorsPlugin from "@pothos/plugin-errors";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import ValidationPlugin from "@pothos/plugin-validation";
import { GraphQLError } from "graphql";
import { hasScope } from "../identity/principal.js";
import type { Scope } from "../identity/scopes.js";
import type { GraphQLContext } from "./context.js";

/** The one SchemaBuilder. Types live beside their domain; this file only configures plugins. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: { authenticated: boolean; scope: Scope };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    /** An uploaded file (GraphQL multipart request spec, which Yoga reads into a Fetch API File). */
    File: { Input: File; Output: never };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Subscriptions are authorised when they start, not per event.
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      authenticated: context.principal !== null,
      scope: (scope) => hasScope(context.principal, scope),
    }),
    unauthorizedError: (_parent, context) =>
      context.principal
        ? new GraphQLError("Not allowed: this credential lacks the required scope", {
            extensions: { code: "FORBIDDEN" },
          })
        : new GraphQLError(context.authError?.message ?? "Authentication required", {
            extensions: { code: "UNAUTHENTICATED" },
          }),
  },
  relay: { cursorType: "String", clientMutationId: "omit" },
  errors: { defaultTypes: [] },
  validation: {
    validationError: (result) =>
      new GraphQLError("Invalid input", {
        extensions: {
          code: "BAD_USER_INPUT",
          issues: result.issues.map((issue) => ({
            message: issue.message,
            path: issue.path?.map((part) => String(typeof part === "object" ? part.key : part)) ?? [],
          })),
        },
      }),
  },
});
