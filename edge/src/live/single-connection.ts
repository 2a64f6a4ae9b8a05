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
  if (request.method !== "GET" || !response.ok || !response.body) return response as unknown as Response;
  // Relayed rather than handed back as is: a gone client is found out by a failing write (the object's heartbeat,
  // every 2 s) here, in the Worker, which may not reach the object, so the Worker tells the object outright; it
  // then ends the stream and its operations. (The request's signal, when the runtime fires it, does the same.)
  let told = false;
  const tellObject = () => {
    if (told) return;
    told = true;
    relay.stop();
    const hangUp = session.fetch(`https://stream-session${HANGUP_PATH}`, { method: "POST", headers });
    c.executionCtx.waitUntil(hangUp.catch(() => {}));
  };
  const relay = relayStream(response.body as unknown as ReadableStream<Uint8Array>, tellObject);
  request.signal.addEventListener("abort", tellObject, { once: true });
  return new Response(relay.body, { status: response.status, headers: response.headers as unknown as Headers });
}

/**
 * `source` re-streamed chunk by chunk. `stop()` cancels the source and ends the relay; `onCancel` runs when
 * whoever reads the relay goes away. With `heartbeat`, that chunk is also sent every `everyMs` between the
 * source's chunks (each a whole SSE message, so a comment never lands inside one).
 */
export function relayStream(
  source: ReadableStream<Uint8Array>,
  onCancel: () => void,
  heartbeat?: { everyMs: number; chunk: Uint8Array },
): { body: ReadableStream<Uint8Array>; stop: () => void } {
  const reader = source.getReader();
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!heartbeat) return;
      timer = setInterval(() => {
        try {
          controller.enqueue(heartbeat.chunk);
        } catch {
          clearInterval(timer);
        }
      }, heartbeat.everyMs);
    },
    async pull(controller) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (!chunk.done) return controller.enqueue(chunk.value);
      clearInterval(timer);
      controller.close();
    },
    cancel() {
      clearInterval(timer);
      onCancel();
    },
  });
  return { body, stop: () => void reader.cancel().catch(() => {}) };
}
