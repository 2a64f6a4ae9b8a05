import type { Context } from "hono";
import type { AppBindings } from "../../http/app-types.js";
import type { Principal } from "../../identity/principal.js";
import { companyOwnership } from "../../orders/company.js";
import { botliveError } from "./errors.js";

/** The caller, or 401: Botlive needs an API key (X-API-Key), which N8N sends as a header. */
export function botliveCaller(c: Context<AppBindings>): Principal {
  const principal = c.var.principal;
  if (principal) return principal;
  if (c.var.authError) throw botliveError("unauthorized", 401, c.var.authError.message);
  throw botliveError("unauthorized", 401, "API key required: send it in the X-API-Key header");
}

/** A company_id the caller may use: its own organisation's; another's is 403, an unknown one 404. */
export async function assertOwnCompany(
  c: Context<AppBindings>,
  principal: Principal,
  companyId: string,
): Promise<void> {
  const ownership = await companyOwnership(c.var.database.db, principal.orgId, companyId);
  if (ownership === "other") throw botliveError("forbidden", 403, "This company belongs to another organisation");
  if (ownership === "unknown") throw botliveError("company_not_found", 404, `Unknown company_id ${companyId}`);
}
