import type { Context, MiddlewareHandler } from "hono";
import type { AppBindings } from "../../http/app-types.js";
import { ApiError } from "../../http/errors.js";
import type { Principal } from "../../identity/principal.js";
import type { Scope } from "../../identity/scopes.js";
import { notAuthenticated } from "./errors.js";

/**
 * SpeechAI's document shows no auth; here every path needs a caller: an API key or the legacy password in
 * `X-API-Key`, or `Authorization: Bearer <user token | API key>`. Checked before the request is validated.
 */
export const requireCaller: MiddlewareHandler<AppBindings> = async (c, next) => {
  if (!c.var.principal) throw notAuthenticated();
  await next();
};

/** The caller, refused with 403 when the credential lacks a scope (members lack billing:manage). */
export function caller(c: Context<AppBindings>, ...scopes: Scope[]): Principal {
  const principal = c.var.principal;
  if (!principal) throw notAuthenticated();
  const missing = scopes.find((scope) => !principal.scopes.includes(scope));
  if (missing) throw new ApiError("FORBIDDEN", 403, `This credential lacks the ${missing} scope`);
  return principal;
}
