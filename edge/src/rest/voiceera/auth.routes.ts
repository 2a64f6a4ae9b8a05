import { createRoute, z } from "@hono/zod-openapi";
import { loginAccount, registerAccount } from "../../identity/accounts.js";
import { credentialsFrom } from "../../identity/authenticate.js";
import { refreshAccessToken } from "../../identity/sessions.js";
import { getUser, type UserRow } from "../../organisations/service.js";
import { caller } from "./auth.js";
import { voiceEraError } from "./errors.js";
import { voiceEraTimestamp } from "./format.js";
import { AUTHENTICATED_ERRORS, BEARER_SECURITY, errorResponse, json, jsonBody, Timestamp } from "./schemas.js";
import type { VoiceEraApp } from "./surface.js";

const tags = ["VoiceERA: Auth"];
const RATE_LIMITED = { 429: errorResponse("RATE_LIMIT_001: 10 requests a minute") };

const RegisterBody = z
  .object({
    email: z.string().openapi({ example: "user@example.com" }),
    password: z.string().openapi({ example: "SecurePass123!", description: "At least 10 characters" }),
    first_name: z.string().optional().openapi({ example: "John" }),
    last_name: z.string().optional().openapi({ example: "Doe" }),
  })
  .openapi("VoiceEraRegister");

const UserBody = z
  .object({
    id: z.string(),
    email: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    created_at: Timestamp,
  })
  .openapi("VoiceEraUser");

const LoginBody = z.object({ email: z.string(), password: z.string() }).openapi("VoiceEraLogin");

const LoginResult = z
  .object({
    token: z.string(),
    refresh_token: z.string(),
    expires_in: z.number().openapi({ description: "Seconds the access token lasts (1800)" }),
    user: z.object({ id: z.string(), email: z.string(), role: z.enum(["user", "admin"]) }),
  })
  .openapi("VoiceEraLoginResult");

const MeBody = UserBody.extend({ role: z.enum(["user", "admin"]) }).openapi("VoiceEraMe");

const RefreshResult = z.object({ token: z.string(), expires_in: z.number() }).openapi("VoiceEraRefreshResult");

const registerRoute = createRoute({
  method: "post",
  path: "/auth/register",
  tags,
  summary: "Register User",
  description: "Creates the user and an organisation of their own, which they own.",
  request: jsonBody(RegisterBody),
  responses: {
    201: json(UserBody, "Registered"),
    409: errorResponse("AUTH_005 email already registered"),
    422: errorResponse("VALIDATION_001"),
    ...RATE_LIMITED,
  },
});

const loginRoute = createRoute({
  method: "post",
  path: "/auth/login",
  tags,
  summary: "Login",
  request: jsonBody(LoginBody),
  responses: {
    200: json(LoginResult, "Tokens"),
    401: errorResponse("AUTH_001 invalid credentials (or the account is locked after 5 failures)"),
    422: errorResponse("VALIDATION_001"),
    ...RATE_LIMITED,
  },
});

const meRoute = createRoute({
  method: "get",
  path: "/auth/me",
  tags,
  summary: "Get Current User",
  security: BEARER_SECURITY,
  responses: { 200: json(MeBody, "The user"), ...AUTHENTICATED_ERRORS },
});

const refreshRoute = createRoute({
  method: "post",
  path: "/auth/refresh-token",
  tags,
  summary: "Refresh Token",
  description: "Send the refresh token as `Authorization: Bearer <refresh_token>`. It stays valid (no rotation).",
  security: BEARER_SECURITY,
  responses: {
    200: json(RefreshResult, "A new access token"),
    401: errorResponse("AUTH_002 / AUTH_003"),
    ...RATE_LIMITED,
  },
});

/**
 * VoiceERA's role words. A registered user owns the organisation made for them and the document calls them
 * `user`; only an organisation's admins are `admin`.
 */
function roleWord(role: UserRow["role"]): "user" | "admin" {
  return role === "admin" ? "admin" : "user";
}

function userBody(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    created_at: voiceEraTimestamp(user.createdAt),
  };
}

export function registerAuthRoutes(app: VoiceEraApp): void {
  app.openapi(registerRoute, async (c) => {
    const body = c.req.valid("json");
    const { user } = await registerAccount(c.var.database.db, c.var.env.JWT_SECRET, {
      email: body.email,
      password: body.password,
      firstName: body.first_name,
      lastName: body.last_name,
    });
    return c.json(userBody(user), 201);
  });

  app.openapi(loginRoute, async (c) => {
    const { user, tokens } = await loginAccount(c.var.database.db, c.var.env.JWT_SECRET, c.req.valid("json"));
    return c.json(
      {
        token: tokens.accessToken,
        refresh_token: tokens.refreshToken,
        expires_in: tokens.expiresIn,
        user: { id: user.id, email: user.email, role: roleWord(user.role) },
      },
      200,
    );
  });

  app.openapi(meRoute, async (c) => {
    const principal = caller(c);
    const user = principal.userId ? await getUser(c.var.database.db, principal.orgId, principal.userId) : null;
    if (!user) throw voiceEraError("AUTH_004", "This credential belongs to no user");
    return c.json({ ...userBody(user), role: roleWord(user.role) }, 200);
  });

  app.openapi(refreshRoute, async (c) => {
    const refreshToken = credentialsFrom(c.req.raw).bearer;
    if (!refreshToken) throw voiceEraError("AUTH_003", "Missing Authorization: Bearer <refresh_token>");
    const access = await refreshAccessToken(c.var.database.db, c.var.env.JWT_SECRET, refreshToken);
    return c.json({ token: access.accessToken, expires_in: access.expiresIn }, 200);
  });
}
