import { revokedTokens } from "@switchboard/schema";
import type { Database } from "../db/client.js";
import { AuthenticationError } from "../shared/errors.js";
import type { Principal } from "./principal.js";
import { revokeFamily } from "./sessions.js";

/** Revokes the access token in use and every refresh token of its login. */
export async function logout(db: Database, principal: Principal): Promise<void> {
  if (!principal.token) throw new AuthenticationError("INVALID_TOKEN", "Only a user token can log out");
  const { jti, sessionFamilyId, expiresAt } = principal.token;
  await db.insert(revokedTokens).values({ jti, orgId: principal.orgId, expiresAt }).onConflictDoNothing();
  await revokeFamily(db, sessionFamilyId, "logout");
}
