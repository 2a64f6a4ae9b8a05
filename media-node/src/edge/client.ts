import { AGENT_TURN_STREAM_MEDIA_TYPE } from "@switchboard/schema/internal/calls";
import { signInternalRequest } from "@switchboard/schema/internal-signature";
import { Deadline } from "../net/deadline.js";
import { nodeSignatureCrypto } from "./node-signature.js";

/** A signed request to the edge's internal API. */
export type EdgeRequest = {
  method: "POST" | "PUT";
  /** Path under the edge's origin, e.g. `/internal/v1/calls/<id>/events`. */
  path: string;
  contentType: string;
  body: string | Uint8Array;
};

export type EdgeAnswer = { status: number; body: string };

export type EdgeClientOptions = {
  edgeUrl: string;
  secret: string | undefined;
  fetch?: typeof fetch;
  /** Per attempt; a hung edge must not hold a jambonz hook (jambonz gives up after 10 s). */
  timeoutMs?: number;
  /** A streamed turn's answer, from its first bytes to its last line (default TURN_STREAM_LIMIT_MS). */
  turnLimitMs?: number;
};

/** Thrown when the edge could not be reached or answered 5xx: worth trying again later. */
export class EdgeUnavailableError extends Error {
  constructor(
    message: string,
    /** The edge's Retry-After (a busy database answers 503 with one), in milliseconds. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** How long to wait before the next try: the backoff, or longer when the edge asked for it (up to `capMs`). */
export function retryDelayMs(error: unknown, backoffMs: number, capMs = Number.POSITIVE_INFINITY): number {
  const asked = error instanceof EdgeUnavailableError ? (error.retryAfterMs ?? 0) : 0;
  return Math.max(backoffMs, Math.min(asked, capMs));
}

/** Thrown when a streamed turn answer stopped before its last line: the turn may have been saved, ask again. */
export class TurnStreamBrokenError extends EdgeUnavailableError {}

/** Thrown when the edge refused the request (4xx): retrying the same request cannot help. */
export class EdgeRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`edge answered ${status}: ${body.slice(0, 200)}`);
  }
}

/** Sends signed requests to the edge (INTERNAL_API_SECRET, see schema/src/internal-signature.ts). */
export class EdgeClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: EdgeClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** One attempt. 2xx and 404 come back as answers; other 4xx throw EdgeRejectedError, the rest EdgeUnavailableError. */
  async send(request: EdgeRequest): Promise<EdgeAnswer> {
    const secret = this.options.secret;
    if (!secret) throw new EdgeUnavailableError("INTERNAL_API_SECRET is not set: the edge cannot be called");
    const url = new URL(request.path, this.options.edgeUrl);
    const signature = await signInternalRequest(
      { secret, method: request.method, path: `${url.pathname}${url.search}`, body: request.body },
      nodeSignatureCrypto,
    );
    const deadline = new Deadline(attemptTimeoutMs(this.options.timeoutMs ?? 8_000, request.body), "no answer in time");
    let response: Response;
    let body: string;
    try {
      response = await deadline.race(
        this.fetchImpl(url, {
          method: request.method,
          headers: { "content-type": request.contentType, ...signature },
          body: request.body,
          signal: deadline.signal,
        }),
      );
      // Inside the try: a timeout while the body streams is the edge being unavailable, so it is retried.
      body = await deadline.race(response.text());
    } catch (error) {
      throw new EdgeUnavailableError(`edge unreachable: ${String(error)}`);
    } finally {
      deadline.clear();
    }
    if (response.ok || response.status === 404) return { status: response.status, body };
    if (response.status >= 500 || response.status === 429) {
      throw unavailableAnswer(response, body);
    }
    throw new EdgeRejectedError(response.status, body);
  }

  /** A JSON POST retried a few times quickly: for answers a live call is waiting on. */
  async postJson(path: string, payload: unknown, attempts = 3): Promise<EdgeAnswer> {
    const request: EdgeRequest = {
      method: "POST",
      path,
      contentType: "application/json",
      body: JSON.stringify(payload),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(request);
      } catch (error) {
        if (!(error instanceof EdgeUnavailableError) || attempt >= attempts) throw error;
        await sleep(retryDelayMs(error, 150 * 2 ** attempt, LIVE_CALL_RETRY_CAP_MS));
      }
    }
  }

  /**
   * An agent turn, its answer streamed (AGENT_TURN_STREAM_MEDIA_TYPE): resolves once the edge starts answering
   * (retried like postJson until then; the turn's idempotency key makes a retry safe) with the answer's lines as
   * they arrive. An edge answering plain JSON gives its body as the one line. A failure while the lines stream
   * throws EdgeUnavailableError from the iteration.
   */
  async streamTurn(path: string, payload: unknown, attempts = 3): Promise<AsyncIterable<string>> {
    const body = JSON.stringify(payload);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.openTurnStream(path, body);
      } catch (error) {
        if (!(error instanceof EdgeUnavailableError) || attempt >= attempts) throw error;
        await sleep(retryDelayMs(error, 150 * 2 ** attempt, LIVE_CALL_RETRY_CAP_MS));
      }
    }
  }

  private async openTurnStream(path: string, body: string): Promise<AsyncIterable<string>> {
    const secret = this.options.secret;
    if (!secret) throw new EdgeUnavailableError("INTERNAL_API_SECRET is not set: the edge cannot be called");
    const url = new URL(path, this.options.edgeUrl);
    const signature = await signInternalRequest(
      { secret, method: "POST", path: `${url.pathname}${url.search}`, body },
      nodeSignatureCrypto,
    );
    // The answer must start within the usual time; the model then has until the whole-turn limit to finish.
    const deadline = new Deadline(this.options.timeoutMs ?? 8_000, "no answer in time");
    let response: Response;
    try {
      response = await deadline.race(
        this.fetchImpl(url, {
          method: "POST",
          headers: { "content-type": "application/json", accept: AGENT_TURN_STREAM_MEDIA_TYPE, ...signature },
          body,
          signal: deadline.signal,
        }),
      );
    } catch (error) {
      deadline.clear();
      throw new EdgeUnavailableError(`edge unreachable: ${String(error)}`);
    }
    deadline.restart(this.options.turnLimitMs ?? TURN_STREAM_LIMIT_MS, "the turn took too long");
    if (!response.ok || !response.body) {
      const text = await deadline.race(response.text()).catch(() => "");
      deadline.clear();
      if (response.status >= 500 || response.status === 429 || response.ok) throw unavailableAnswer(response, text);
      throw new EdgeRejectedError(response.status, text);
    }
    return lines(response.body, deadline);
  }
}

/** A live call waits on these retries: never longer than this between two, whatever the edge asks. */
const LIVE_CALL_RETRY_CAP_MS = 1_500;

function unavailableAnswer(response: Response, body: string): EdgeUnavailableError {
  const seconds = Number(response.headers.get("retry-after"));
  const retryAfterMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
  return new EdgeUnavailableError(`edge answered ${response.status}: ${body.slice(0, 200)}`, retryAfterMs);
}

/** From the answer's first bytes: an LLM turn's own limit (15 s) plus the edge's save. */
const TURN_STREAM_LIMIT_MS = 25_000;

/** The body's non-empty lines, as they arrive; each read is raced against the turn's deadline. */
async function* lines(body: ReadableStream<Uint8Array>, deadline: Deadline): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { value, done } = await deadline.race(reader.read());
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let end = buffered.indexOf("\n");
      while (end >= 0) {
        const line = buffered.slice(0, end).trim();
        buffered = buffered.slice(end + 1);
        if (line) yield line;
        end = buffered.indexOf("\n");
      }
    }
    buffered += decoder.decode();
    if (buffered.trim()) yield buffered.trim();
  } catch (error) {
    throw new TurnStreamBrokenError(`the turn's answer broke off: ${String(error)}`);
  } finally {
    deadline.clear();
    // Stopped early (an error, or the reader of the lines gave up): the connection is not needed any more.
    reader.cancel().catch(() => undefined);
  }
}

/** The slowest link a recording upload is given time for: an hour at 16 kHz (~115 MB) gets ~7.5 more minutes. */
const SLOWEST_UPLOAD_BYTES_PER_SECOND = 256 * 1024;

/** A large body (a recording) needs time to travel on top of the edge's answer time. */
function attemptTimeoutMs(baseMs: number, body: EdgeRequest["body"]): number {
  const bytes = typeof body === "string" ? body.length : body.byteLength;
  return baseMs + Math.ceil((bytes / SLOWEST_UPLOAD_BYTES_PER_SECOND) * 1000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
