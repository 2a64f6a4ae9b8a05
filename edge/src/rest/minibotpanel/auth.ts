import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "../../http/app-types.js";
import { ApiError } from "../../http/errors.js";
import type { Principal } from "../../identity/principal.js";
import type { Scope } from "../../identity/scopes.js";
import { unauthorized } from "./errors.js";

/** Every /api path needs a caller: the legacy password, an API key or a user token. */
export const requireCaller: MiddlewareHandler<AppBindings> = async (c, next) => {
  if (!c.var.principal) throw unauthorized();
  await next();
};

/** The caller, refused with 403 when it lacks the scope (API keys may hold a subset). */
export function callerWith(principal: Principal | null, scope: Scope): Principal {
  if (!principal) throw unauthorized();
  if (!principal.scopes.includes(scope))
    throw new ApiError("HTTP_403", 403, `This credential lacks the ${scope} scope`);
  return principal;
}
