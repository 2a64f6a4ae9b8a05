import type { Context } from "hono";
import type { AppBindings } from "../http/app-types.js";
import type { Principal } from "../identity/principal.js";

/**
 * graphql-sse single-connection mode on /graphql, Worker side: every request of a stream (PUT reserve, GET
 * open, POST operation, DELETE complete) goes to the StreamSession Durable Object named by the stream's token,
 * which holds the open stream and runs the operations (stream-session.ts). The Worker authenticates each
 * request and hands the principal to the object, which checks it is the one that reserved the stream.
 */

/** graphql-sse's names for the stream token (its TOKEN_HEADER_KEY and TOKEN_QUERY_KEY). */
const TOKEN_HEADER = "x-graphql-event-stream-token";
const TOKEN_QUERY = "token";
/** Worker → StreamSession only: the request's resolved principal. Always overwritten, never the client's. */
const PRINCIPAL_HEADER = "x-switchboard-principal";
/** Worker → StreamSession: the client of the open stream went away. */
export const HANGUP_PATH = "/hangup";
const TOKEN_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const STREAM_NOT_FOUND = { errors: [{ message: "Stream not found" }] };

/** A request of single-connection mode: PUT and DELETE always, GET and POST when they carry a stream token. */
export function isStreamRequest(request: Request): boolean {
  if (request.method === "PUT" || request.method === "DELETE") return true;
  return tokenOf(request) !== null;
}

function tokenOf(request: Request): string | null {
  return request.headers.get(TOKEN_HEADER) ?? new URL(request.url).searchParams.get(TOKEN_QUERY);
}

/** Who may use a stream: the same user or API key of the same organisation that reserved it. */
export function streamOwner(principal: Principal): string {
  return `${principal.orgId}/${principal.kind}/${principal.userId ?? principal.apiKeyId ?? ""}`;
}

export function principalFrom(headers: Headers): Principal | null {
  const json = headers.get(PRINCIPAL_HEADER);
  if (!json) return null;
  const principal = JSON.parse(json) as Principal;
  if (principal.token) principal.token.expiresAt = new Date(principal.token.expiresAt);
  return principal;
}

/** Routes one single-connection request to its stream's Durable Object. */
export async function forwardToStreamSession(c: Context<AppBindings>): Promise<Response> {
  const { principal } = c.var;
  if (!principal) {
    const message = c.var.authError?.message ?? "Authentication required";
    return c.json({ errors: [{ message, extensions: { code: "UNAUTHENTICATED" } }] }, 401);
  }
  const request = c.req.raw;
  // A new stream gets a fresh, unguessable token here, so it can name its Durable Object from the start.
  const token = request.method === "PUT" ? crypto.randomUUID() : tokenOf(request);
  if (!token || !TOKEN_PATTERN.test(token)) return c.json(STREAM_NOT_FOUND, 404);

  const namespace = c.var.env.STREAM_SESSION;
  const session = namespace.get(namespace.idFromName(token));
  const headers = new Headers(request.headers);
  headers.set(TOKEN_HEADER, token);
  headers.set(PRINCIPAL_HEADER, JSON.stringify(principal));
  headers.set("x-request-id", c.var.requestId);
  const url = new URL(request.url);
  const response = await session.fetch(`https://stream-session${url.pathname}${url.search}`, {
    method: request.method,
    headers,
    body: request.method === "POST" ? await request.text() : undefined,
  });
  if (request.method === "GET" && response.ok) {
    // The object notices a gone client only at its next write (a ping every 12 s); tell it at once.
    request.signal.addEventListener(
      "abort",
      () => void session.fetch(`https://stream-session${HANGUP_PATH}`, { method: "POST", headers }).catch(() => {}),
      { once: true },
    );
  }
  return response as unknown as Response;
}
