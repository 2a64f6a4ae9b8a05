/** Permission scopes carried by every principal. Users get them from their role; API keys choose a subset. */
export const ALL_SCOPES = [
  "agents:read",
  "agents:write",
  "contacts:read",
  "contacts:write",
  "campaigns:read",
  "campaigns:write",
  "calls:read",
  "api_keys:manage",
  /** Billing accounts, credits and the ledger: organisation admins (and the legacy password) only. */
  "billing:manage",
  /** Register, test and delete webhooks; read and replay their deliveries. */
  "webhooks:manage",
  /** Add, change and remove products of the organisation's catalogue (searching it needs no scope). */
  "catalog:write",
] as const;

export type Scope = (typeof ALL_SCOPES)[number];

export function scopesForRole(role: "owner" | "admin" | "member"): Scope[] {
  if (role === "member") return ALL_SCOPES.filter((scope) => scope !== "api_keys:manage" && scope !== "billing:manage");
  return [...ALL_SCOPES];
}

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}
