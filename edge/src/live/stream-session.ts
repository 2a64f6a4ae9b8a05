import { DurableObject } from "cloudflare:workers";
import type { ExecutionResult } from "graphql";
import { isAsyncIterable, type RequestParams } from "graphql-sse";
import { createHandler } from "graphql-sse/lib/use/fetch";
import { ObjectDatabase } from "../db/client.js";
import { readEnv } from "../env.js";
import type { GraphQLContext } from "../graphql/context.js";
import { yoga } from "../graphql/yoga.js";
import type { Principal } from "../identity/principal.js";
import { HANGUP_PATH, principalFrom, relayStream, STREAM_NOT_FOUND, streamOwner } from "./single-connection.js";

const CONNECTION_IDLE_MS = 30_000;
/**
 * An SSE comment down the stream this often (graphql-sse's own ping is every 12 s): a client that went away is
 * only found out by a write that fails, so this bounds how long its operations and hub slots outlive it.
 */
const HEARTBEAT_MS = 2_000;
const PING = new TextEncoder().encode(":\n\n");

type Result = ExecutionResult | AsyncIterable<ExecutionResult>;

/**
 * One graphql-sse single-connection stream (PUT reserves it, GET opens it, POST runs operations on it, DELETE
 * completes one), named by its token. The operations run here, inside the object that holds the open stream,
 * so they live as long as the stream does — not as long as the POST that started them, which on Workers ends
 * with its response. The protocol is graphql-sse's own handler; each operation goes through Yoga's pipeline
 * (same schema, armor limits, error masking and subscribe-time authorisation as /graphql), with the principal
 * the Worker resolved for that POST. The stream belongs to whoever reserved it: anyone else gets 404.
 */
export class StreamSession extends DurableObject {
  #owner: string | null = null;
  /** Aborted when the client hangs up: ends the stream, which completes every operation on it. */
  readonly #hangup = new AbortController();
  #database: ObjectDatabase | undefined;
  readonly #handler = createHandler({ onSubscribe: (request, params) => this.run(request.raw, params) });

  override async fetch(request: Request): Promise<Response> {
    const principal = principalFrom(request.headers);
    if (!principal) return new Response(null, { status: 401 });
    const owner = streamOwner(principal);
    if (request.method === "PUT") {
      if (this.#owner !== null) return new Response(null, { status: 409 });
      this.#owner = owner;
    } else if (owner !== this.#owner) {
      return Response.json(STREAM_NOT_FOUND, { status: 404 });
    }
    if (new URL(request.url).pathname === HANGUP_PATH) {
      this.#hangup.abort();
      return new Response(null, { status: 204 });
    }
    const response = await this.#handler(request);
    if (request.method !== "GET" || !response.body) return response;
    // Cancelling graphql-sse's stream ends it and completes every operation on it (their hub slots go too).
    const relay = relayStream(response.body, () => this.#hangup.abort(), { everyMs: HEARTBEAT_MS, chunk: PING });
    this.#hangup.signal.addEventListener("abort", relay.stop, { once: true });
    return new Response(relay.body, response);
  }

  /** One operation through Yoga, as the given principal; errors come back as a result, never thrown. */
  private async run(request: Request, params: RequestParams): Promise<Result> {
    const context: GraphQLContext = {
      env: readEnv(this.env as object),
      database: this.database(),
      principal: principalFrom(request.headers) as Principal,
      authError: null,
      requestId: request.headers.get("x-request-id") ?? crypto.randomUUID(),
      waitUntil: (work) => this.ctx.waitUntil(work),
      disconnected: this.#hangup.signal,
    };
    const result = await yoga.getResultForParams({ params, request }, context);
    if (result === undefined) return { data: null, errors: [] };
    if (isAsyncIterable(result)) return completable(result);
    // graphql-sse tells a result from execution arguments by its `data` key.
    return "data" in result ? result : { data: null, ...result };
  }

  private database(): ObjectDatabase {
    this.#database ??= new ObjectDatabase(readEnv(this.env as object), CONNECTION_IDLE_MS);
    return this.#database;
  }
}

/**
 * graphql-sse completes an operation (DELETE, or the stream ending) only if it looks like an async generator:
 * next, return and throw. Yoga's iterator may lack throw, so give it one that ends the subscription.
 */
function completable(source: AsyncIterable<ExecutionResult>): AsyncGenerator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const end = async (): Promise<IteratorResult<ExecutionResult>> => {
    await iterator.return?.();
    return { done: true, value: undefined };
  };
  const generator: AsyncGenerator<ExecutionResult> = {
    next: () => iterator.next(),
    return: end,
    throw: end,
    [Symbol.asyncIterator]: () => generator,
  };
  return generator;
}
