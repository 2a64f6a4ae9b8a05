import type { Scope } from "./scopes.js";

/** Who is calling, resolved once per request for REST and GraphQL alike. */
export type Principal = {
  orgId: string;
  kind: "user" | "api_key" | "legacy_password";
  userId: string | null;
  apiKeyId: string | null;
  scopes: Scope[];
  /** Present for user tokens, so logout can revoke them. */
  token: { jti: string; sessionFamilyId: string; expiresAt: Date } | null;
};

export function hasScope(principal: Principal | null, scope: Scope): boolean {
  return principal?.scopes.includes(scope) ?? false;
}
