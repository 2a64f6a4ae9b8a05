import type { Hono } from "hono";
import { z } from "zod";
import type { AppBindings } from "../../http/app-types.js";
import { loginAccount } from "../../identity/accounts.js";
import { createApiKey, MEUBLE_API_KEY_PREFIX } from "../../identity/api-keys.js";
import { logout } from "../../identity/logout.js";
import type { TokenPair } from "../../identity/sessions.js";
import { rotateRefreshToken } from "../../identity/sessions.js";
import { caller } from "./auth.js";
import { jsonBody } from "./request.js";

const LoginBody = z.object({ email: z.string().max(320), password: z.string().max(200) });
const RefreshBody = z.object({ refresh_token: z.string().min(1).max(4096) });
const ApiKeyBody = z.object({
  name: z.string().max(100),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});

function tokenBody(tokens: TokenPair) {
  return {
    success: true,
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    token_type: "bearer",
    expires_in: tokens.expiresIn,
  };
}

export function registerMeubleAuthRoutes(app: Hono<AppBindings>): void {
  app.post("/api/auth/login", async (c) => {
    const body = await jsonBody(c, LoginBody);
    const { tokens } = await loginAccount(c.var.database.db, c.var.env.JWT_SECRET, body);
    return c.json(tokenBody(tokens), 200);
  });

  // Each refresh token works once and the answer carries its successor (reuse revokes the whole login).
  app.post("/api/auth/refresh", async (c) => {
    const body = await jsonBody(c, RefreshBody);
    const tokens = await rotateRefreshToken(c.var.database.db, c.var.env.JWT_SECRET, body.refresh_token);
    return c.json(tokenBody(tokens), 200);
  });

  // Not in the document; LEGACY-NOTES: logout revokes the token's jti (and here its whole login).
  app.post("/api/auth/logout", async (c) => {
    await logout(c.var.database.db, caller(c));
    return c.json({ success: true }, 200);
  });

  app.post("/api/auth/api-keys", async (c) => {
    const principal = caller(c, "api_keys:manage");
    const body = await jsonBody(c, ApiKeyBody);
    const { apiKey, secret } = await createApiKey(
      c.var.database.db,
      principal,
      { name: body.name, expiresInDays: body.expires_in_days },
      MEUBLE_API_KEY_PREFIX,
    );
    return c.json(
      {
        success: true,
        api_key: secret,
        key_id: apiKey.id,
        name: apiKey.name,
        expires_at: apiKey.expiresAt ? isoSeconds(apiKey.expiresAt) : null,
      },
      201,
    );
  });
}

/** `2025-01-09T12:00:00Z`, the document's timestamps. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
