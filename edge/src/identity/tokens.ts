import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { AuthenticationError } from "../shared/errors.js";
import { isScope, type Scope } from "./scopes.js";

export const ACCESS_TOKEN_SECONDS = 30 * 60;
export const REFRESH_TOKEN_SECONDS = 7 * 24 * 60 * 60;

const accessClaims = z.object({
  sub: z.string().uuid(),
  org: z.string().uuid(),
  sid: z.string().uuid(),
  jti: z.string().min(1),
  exp: z.number(),
  type: z.literal("access"),
  scopes: z.array(z.string()).transform((scopes) => scopes.filter(isScope)),
});

const refreshClaims = z.object({
  sub: z.string().uuid(),
  jti: z.string().uuid(),
  type: z.literal("refresh"),
});

export type AccessClaims = z.infer<typeof accessClaims>;

const secretKeys = new Map<string, Uint8Array>();
function keyFor(secret: string): Uint8Array {
  let key = secretKeys.get(secret);
  if (!key) {
    key = new TextEncoder().encode(secret);
    secretKeys.set(secret, key);
  }
  return key;
}

export async function signAccessToken(
  secret: string,
  claims: { userId: string; orgId: string; sessionFamilyId: string; scopes: Scope[] },
): Promise<{ token: string; jti: string }> {
  const jti = crypto.randomUUID();
  const token = await new SignJWT({
    org: claims.orgId,
    sid: claims.sessionFamilyId,
    scopes: claims.scopes,
    type: "access",
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setJti(jti)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_SECONDS}s`)
    .sign(keyFor(secret));
  return { token, jti };
}

/** The refresh token is a JWT naming its session row; the row decides whether it is still usable. */
export async function signRefreshToken(secret: string, userId: string, sessionId: string): Promise<string> {
  return new SignJWT({ type: "refresh" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setJti(sessionId)
    .setIssuedAt()
    .setExpirationTime(`${REFRESH_TOKEN_SECONDS}s`)
    .sign(keyFor(secret));
}

export async function verifyAccessToken(secret: string, token: string): Promise<AccessClaims> {
  return claimsOrInvalid(accessClaims, await verify(secret, token));
}

export async function verifyRefreshToken(secret: string, token: string): Promise<z.infer<typeof refreshClaims>> {
  return claimsOrInvalid(refreshClaims, await verify(secret, token));
}

function claimsOrInvalid<T extends z.ZodType>(schema: T, payload: unknown): z.output<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new AuthenticationError("INVALID_TOKEN", "Token invalid");
  return parsed.data;
}

async function verify(secret: string, token: string): Promise<unknown> {
  try {
    const { payload } = await jwtVerify(token, keyFor(secret), { algorithms: ["HS256"] });
    return payload;
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    throw new AuthenticationError("INVALID_TOKEN", expired ? "Token expired" : "Token invalid");
  }
}
