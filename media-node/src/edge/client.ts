import { signInternalRequest } from "@switchboard/schema/internal-signature";

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
};

/** Thrown when the edge could not be reached or answered 5xx: worth trying again later. */
export class EdgeUnavailableError extends Error {}

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
    const signature = await signInternalRequest({
      secret,
      method: request.method,
      path: `${url.pathname}${url.search}`,
      body: request.body,
    });
    let response: Response;
    let body: string;
    try {
      response = await this.fetchImpl(url, {
        method: request.method,
        headers: { "content-type": request.contentType, ...signature },
        body: request.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 8_000),
      });
      // Inside the try: a timeout while the body streams is the edge being unavailable, so it is retried.
      body = await response.text();
    } catch (error) {
      throw new EdgeUnavailableError(`edge unreachable: ${String(error)}`);
    }
    if (response.ok || response.status === 404) return { status: response.status, body };
    if (response.status >= 500 || response.status === 429) {
      throw new EdgeUnavailableError(`edge answered ${response.status}: ${body.slice(0, 200)}`);
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
        await sleep(150 * 2 ** attempt);
      }
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
