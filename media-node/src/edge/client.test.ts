import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EdgeClient, EdgeRejectedError, EdgeUnavailableError, retryDelayMs, TurnStreamBrokenError } from "./client.js";

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

describe("an edge that stops answering halfway through a body", () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  /** Sends the headers and a first chunk, then nothing more, never closing the connection. */
  async function stallingEdge(firstChunk: string): Promise<string> {
    server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/x-ndjson" });
      response.write(firstChunk);
    });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  }

  it("gives up on the report at the attempt's deadline, so the outbox retries it (a hung read would hold the call's lane forever)", async () => {
    const client = new EdgeClient({
      edgeUrl: await stallingEdge('{"applied":'),
      secret: "s".repeat(32),
      timeoutMs: 200,
    });
    await expect(client.send(request)).rejects.toBeInstanceOf(EdgeUnavailableError);
  });

  it("gives up at the deadline even when the body's read ignores the abort (seen under load: a lane held for good)", async () => {
    const neverEndingBody = new ReadableStream<Uint8Array>({ start: () => {} });
    const fetchIgnoringAbort = async () => new Response(neverEndingBody, { status: 200 });
    const client = new EdgeClient({
      edgeUrl: "http://edge.test",
      secret: "s".repeat(32),
      timeoutMs: 200,
      fetch: fetchIgnoringAbort,
    });
    await expect(client.send(request)).rejects.toBeInstanceOf(EdgeUnavailableError);
  });

  it("breaks off a streamed turn whose lines stop coming, at the turn's limit", async () => {
    const edgeUrl = await stallingEdge('{"type":"delta","text":"Bonjour. "}\n');
    const client = new EdgeClient({ edgeUrl, secret: "s".repeat(32), timeoutMs: 200, turnLimitMs: 200 });
    const received: string[] = [];
    const reading = (async () => {
      for await (const line of await client.streamTurn("/internal/v1/calls/x/turn", {}, 1)) received.push(line);
    })();
    await expect(reading).rejects.toBeInstanceOf(TurnStreamBrokenError);
    expect(received).toEqual(['{"type":"delta","text":"Bonjour. "}']);
  });
});
