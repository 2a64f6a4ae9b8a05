import type { Database } from "../db/client.js";
import type { AppEnv } from "../env.js";
import type { Principal } from "../identity/principal.js";
import type { AuthenticationError } from "../shared/errors.js";

/** Per-request GraphQL context, built by the HTTP layer and handed to Yoga. */
export type GraphQLContext = {
  env: AppEnv;
  /** The request's connection, or a single-connection stream's (edge/src/live/stream-session.ts). */
  database: { readonly db: Database };
  principal: Principal | null;
  /** Why credentials were rejected, so UNAUTHENTICATED can say it. */
  authError: AuthenticationError | null;
  requestId: string;
  waitUntil: (work: Promise<unknown>) => void;
  /**
   * Aborts when the client goes away (workerd's enable_request_signal), at once: a subscription's stream would
   * otherwise only notice at its next write (Yoga's ping, every 12 s).
   */
  disconnected: AbortSignal;
};

export function db(context: GraphQLContext): Database {
  return context.database.db;
}

/** The caller's principal; scope-auth has already refused anonymous callers where this is used. */
export function principalOf(context: GraphQLContext): Principal {
  if (!context.principal) throw new Error("principalOf called on an unauthenticated request");
  return context.principal;
}

export function orgOf(context: GraphQLContext): string {
  return principalOf(context).orgId;
}
