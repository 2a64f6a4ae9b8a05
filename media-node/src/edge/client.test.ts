import { describe, expect, it } from "vitest";
import { EdgeClient, EdgeRejectedError, EdgeUnavailableError, retryDelayMs } from "./client.js";

const request = { method: "POST", path: "/internal/v1/x", contentType: "application/json", body: "{}" } as const;

function clientAnswering(status: number, headers: Record<string, string> = {}): EdgeClient {
  const answer = async () => new Response('{"error":{}}', { status, headers });
  return new EdgeClient({ edgeUrl: "http://edge.test", secret: "s".repeat(32), fetch: answer });
}

async function failureOf(client: EdgeClient): Promise<unknown> {
  return client.send(request).then(
    () => null,
    (error: unknown) => error,
  );
}

describe("EdgeClient answers", () => {
  it("reads a busy edge's Retry-After, which then sets the wait before the next try", async () => {
    const error = await failureOf(clientAnswering(503, { "retry-after": "3" }));
    expect(error).toBeInstanceOf(EdgeUnavailableError);
    expect((error as EdgeUnavailableError).retryAfterMs).toBe(3000);
    expect(retryDelayMs(error, 500)).toBe(3000);
    expect(retryDelayMs(error, 8000)).toBe(8000);
    expect(retryDelayMs(error, 500, 1500)).toBe(1500);
  });

  it("keeps the backoff without a Retry-After, and refuses to retry a 4xx", async () => {
    const unavailable = await failureOf(clientAnswering(502));
    expect((unavailable as EdgeUnavailableError).retryAfterMs).toBeNull();
    expect(retryDelayMs(unavailable, 500)).toBe(500);
    expect(await failureOf(clientAnswering(422))).toBeInstanceOf(EdgeRejectedError);
  });
});
