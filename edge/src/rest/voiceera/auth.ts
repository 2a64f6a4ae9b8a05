import type { Context, MiddlewareHandler } from "hono";
import type { AppBindings } from "../../http/app-types.js";
import type { Principal } from "../../identity/principal.js";
import type { Scope } from "../../identity/scopes.js";
import { authFailure, voiceEraError } from "./errors.js";

/** The caller, or AUTH_002/AUTH_003 without a usable token, or AUTH_004 without the scope. */
export function caller(c: Context<AppBindings>, ...scopes: Scope[]): Principal {
  const principal = c.var.principal;
  if (!principal) {
    if (c.var.authError) throw authFailure(c.var.authError);
    throw voiceEraError("AUTH_003", "Missing Authorization: Bearer <token>");
  }
  const missing = scopes.find((scope) => !principal.scopes.includes(scope));
  if (missing) throw voiceEraError("AUTH_004", `This credential lacks the ${missing} scope`);
  return principal;
}

/** The base the request came through (`/voiceera` or the root), so links point back to the same mount. */
export function mountBase(c: Context<AppBindings>): string {
  const url = new URL(c.req.url);
  return `${url.origin}${url.pathname.startsWith("/voiceera/") ? "/voiceera" : ""}`;
}

/** Resource paths need a caller; a recording download may instead carry its signed `token`. */
export const requireCaller: MiddlewareHandler<AppBindings> = async (c, next) => {
  const signedDownload = c.req.path.endsWith("/download") && c.req.query("token") !== undefined;
  if (!signedDownload) caller(c);
  await next();
};
