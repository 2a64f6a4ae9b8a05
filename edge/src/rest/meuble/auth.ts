import type { Context, MiddlewareHandler } from "hono";
import type { AppBindings } from "../../http/app-types.js";
import type { Principal } from "../../identity/principal.js";
import type { Scope } from "../../identity/scopes.js";
import { authFailure, meubleError } from "./errors.js";

/** The caller (Bearer JWT or X-API-Key), or 401; 403 when a scope is missing. */
export function caller(c: Context<AppBindings>, ...scopes: Scope[]): Principal {
  const principal = c.var.principal;
  if (!principal) {
    if (c.var.authError) throw authFailure(c.var.authError);
    throw meubleError("not_authenticated", 401, "Authentication required: Authorization: Bearer <token> or X-API-Key");
  }
  const missing = scopes.find((scope) => !principal.scopes.includes(scope));
  if (missing) throw meubleError("forbidden", 403, `This credential lacks the ${missing} permission`);
  return principal;
}

export const requireCaller: MiddlewareHandler<AppBindings> = async (c, next) => {
  caller(c);
  await next();
};

/** The origin and base the request came through (`/meuble` or the root), so URLs point back to the same mount. */
export function mountBase(c: Context<AppBindings>): string {
  const url = new URL(c.req.url);
  return `${url.origin}${url.pathname.startsWith("/meuble/") ? "/meuble" : ""}`;
}
