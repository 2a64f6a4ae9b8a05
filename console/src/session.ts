/**
 * Who the console acts as: a user's tokens from `login` (refreshed before they expire), or a pasted API key.
 * Kept in sessionStorage, so closing the tab signs out.
 */

export type Session =
  | { kind: "user"; email: string; accessToken: string; refreshToken: string; expiresAt: number }
  | { kind: "apiKey"; key: string };

const STORAGE_KEY = "switchboard.console.session";

export function loadSession(): Session | null {
  try {
    const stored = sessionStorage.getItem(STORAGE_KEY);
    return stored ? (JSON.parse(stored) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
}

export function authHeaders(session: Session): Record<string, string> {
  return session.kind === "user" ? { authorization: `Bearer ${session.accessToken}` } : { "x-api-key": session.key };
}

export function describeSession(session: Session): string {
  return session.kind === "user" ? session.email : `API key ${session.key.slice(0, 12)}…`;
}
