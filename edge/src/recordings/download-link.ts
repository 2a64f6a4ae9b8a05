import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { AuthenticationError } from "../shared/errors.js";

/** How long a recording's signed download link works. */
export const DOWNLOAD_LINK_SECONDS = 15 * 60;

/**
 * A recording download token: HS256 over the call and its organisation, expiring. It is a JWT of its own
 * `type`, so it cannot pass for an access token (which must say `access`), nor an access token for it.
 */
const claims = z.object({ sub: z.string().uuid(), org: z.string().uuid(), type: z.literal("recording") });

export type DownloadGrant = { orgId: string; callId: string };

export async function signDownloadToken(
  secret: string,
  grant: DownloadGrant,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(now.getTime() + DOWNLOAD_LINK_SECONDS * 1000);
  const token = await new SignJWT({ org: grant.orgId, type: "recording" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(grant.callId)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(new TextEncoder().encode(secret));
  return { token, expiresAt };
}

/** The grant of a token for `callId`; an expired, altered or foreign token is an AuthenticationError. */
export async function verifyDownloadToken(secret: string, token: string, callId: string): Promise<DownloadGrant> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"] }));
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    throw new AuthenticationError("INVALID_TOKEN", expired ? "Token expired" : "Token invalid");
  }
  const parsed = claims.safeParse(payload);
  if (!parsed.success || parsed.data.sub !== callId) throw new AuthenticationError("INVALID_TOKEN", "Token invalid");
  return { orgId: parsed.data.org, callId: parsed.data.sub };
}
