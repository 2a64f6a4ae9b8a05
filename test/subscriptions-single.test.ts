import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, createApiKey, registerUser } from "./support/accounts.js";
import { apiKey, pollUntil } from "./support/calls.js";
import { firstRow, useDatabase } from "./support/database.js";
import { graphql, rest } from "./support/http.js";
import { ACTIVITY, hubStats } from "./support/subscriptions.js";

/**
 * graphql-sse single-connection mode at the protocol level (PUT reserve, GET stream, POST operation, DELETE
 * complete, with the stream token): the stream belongs to the principal that reserved it, anonymous callers are
 * refused, operations get the same limits as /graphql, and a client that hangs up frees its subscriptions.
 * (test/subscriptions.test.ts drives the same mode end to end with the graphql-sse client.)
 */

const database = useDatabase();
const TOKEN_HEADER = "x-graphql-event-stream-token";
type Headers = Record<string, string>;
type StreamMessage = { event: string; data: { id: string; payload?: Record<string, unknown> } };

async function reserve(headers: Headers): Promise<string> {
  const response = await rest("PUT", "/graphql", { headers });
  expect(response.status, response.text).toBe(201);
  return response.text;
}

function operate(token: string, headers: Headers, operationId: string, query: string) {
  return rest("POST", "/graphql", {
    headers: { ...headers, [TOKEN_HEADER]: token },
    body: { query, extensions: { operationId } },
  });
}

/** The open event stream, its messages parsed as they arrive. */
type OpenStream = { status: number; messages: StreamMessage[]; hangUp: () => void };
const open: OpenStream[] = [];

async function openStream(token: string, headers: Headers): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${inject("edgeUrl")}/graphql`, {
    headers: { ...headers, [TOKEN_HEADER]: token, accept: "text/event-stream" },
    signal: controller.signal,
  });
  const stream: OpenStream = { status: response.status, messages: [], hangUp: () => controller.abort() };
  open.push(stream);
  if (response.ok && response.body) void readMessages(response.body, stream.messages);
  else await response.body?.cancel();
  return stream;
}

async function readMessages(body: ReadableStream<Uint8Array>, into: StreamMessage[]): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for await (const chunk of body) {
      buffered += decoder.decode(chunk, { stream: true });
      const blocks = buffered.split("\n\n");
      buffered = blocks.pop() ?? "";
      for (const block of blocks) {
        const event = block.match(/^event: (.+)$/m)?.[1];
        const data = block.match(/^data: (.+)$/m)?.[1];
        if (event && data) into.push({ event, data: JSON.parse(data) });
      }
    }
  } catch {
    // Hung up by the test.
  }
}

const messagesOf = (stream: OpenStream, operationId: string) =>
  stream.messages.filter((message) => message.data.id === operationId);

async function completed(stream: OpenStream, operationId: string): Promise<StreamMessage[]> {
  await pollUntil(
    async () => messagesOf(stream, operationId).some((message) => message.event === "complete"),
    (done) => done,
    10_000,
  );
  return messagesOf(stream, operationId);
}

describe("graphql-sse single-connection streams", () => {
  let demoOrgId = "";
  let user: Headers = {};
  let sameOrgKey: Headers = {};

  beforeAll(async () => {
    demoOrgId = (await firstRow<{ id: string }>(database(), "select id from organisations where slug = 'demo'")).id;
    const registered = await registerUser("stream-owner");
    user = bearer(registered.accessToken);
    sameOrgKey = { "x-api-key": (await createApiKey(user)).secret };
  });

  afterEach(() => {
    for (const stream of open.splice(0)) stream.hangUp();
  });

  it("runs queries and subscriptions over the one stream", async () => {
    const token = await reserve(user);
    const stream = await openStream(token, user);
    expect(stream.status).toBe(200);
    expect((await operate(token, user, "q1", "{ viewer { organization { name } } }")).status).toBe(202);
    const [next, complete] = await completed(stream, "q1");
    expect(next?.event).toBe("next");
    expect(next?.data.payload).toMatchObject({ data: { viewer: { organization: { name: expect.any(String) } } } });
    expect(complete?.event).toBe("complete");
  });

  it("belongs to whoever reserved it: another principal, even of the same organisation, finds no stream", async () => {
    const token = await reserve(user);
    for (const stranger of [sameOrgKey, apiKey()]) {
      expect((await openStream(token, stranger)).status).toBe(404);
      expect((await operate(token, stranger, "s1", ACTIVITY)).status).toBe(404);
      const deleted = await rest("DELETE", "/graphql?operationId=s1", {
        headers: { ...stranger, [TOKEN_HEADER]: token },
      });
      expect(deleted.status).toBe(404);
    }
    // The owner's stream was left alone.
    const stream = await openStream(token, user);
    expect(stream.status).toBe(200);
  });

  it("refuses anonymous callers, and anyone with a token it never issued", async () => {
    const anonymous = await rest("PUT", "/graphql");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ errors: [{ extensions: { code: "UNAUTHENTICATED" } }] });
    const token = await reserve(user);
    expect((await operate(token, {}, "s1", ACTIVITY)).status).toBe(401);
    expect((await openStream(crypto.randomUUID(), user)).status).toBe(404);
    expect((await operate("not-a-token", user, "s1", ACTIVITY)).status).toBe(404);
  });

  it("applies /graphql's limits to every operation", async () => {
    // The queries test/bad-input.test.ts sees refused on /graphql.
    const aliases = Array.from({ length: 30 }, (_, index) => `a${index}: viewer { kind }`).join(" ");
    const deep = `{ campaigns { edges { node { calls { edges { node { contact {
      ... on Contact { ... on Node { id } } } } } } } } } }`;
    const token = await reserve(user);
    const stream = await openStream(token, user);
    for (const [operationId, query] of [
      ["aliases", `{ ${aliases} }`],
      ["depth", deep],
    ] as const) {
      expect((await operate(token, user, operationId, query)).status).toBe(202);
      const [next] = await completed(stream, operationId);
      const direct = await graphql(query, undefined, user);
      expect(direct.body.errors?.length, `${operationId} is refused on /graphql`).toBeGreaterThan(0);
      const errors = (next?.data.payload?.errors ?? []) as Array<{ message: string }>;
      expect(errors.map((error) => error.message)).toEqual(direct.body.errors?.map((error) => error.message));
    }
  });

  it("completes one operation on DELETE and frees everything when the client hangs up", async () => {
    const token = await reserve(apiKey());
    const stream = await openStream(token, apiKey());
    const before = (await hubStats(demoOrgId)).subscribers;
    for (const operationId of ["feed1", "feed2"]) {
      expect((await operate(token, apiKey(), operationId, ACTIVITY)).status).toBe(202);
    }
    await pollUntil(
      async () => (await hubStats(demoOrgId)).subscribers,
      (count) => count === before + 2,
      10_000,
    );

    const deleted = await rest("DELETE", "/graphql?operationId=feed1", {
      headers: { ...apiKey(), [TOKEN_HEADER]: token },
    });
    expect(deleted.status).toBe(200);
    expect((await completed(stream, "feed1")).at(-1)?.event).toBe("complete");
    await pollUntil(
      async () => (await hubStats(demoOrgId)).subscribers,
      (count) => count === before + 1,
      5_000,
    );

    const hungUpAt = Date.now();
    stream.hangUp();
    const after = await pollUntil(
      async () => (await hubStats(demoOrgId)).subscribers,
      (count) => count === before,
      10_000,
    );
    expect(after).toBe(before);
    console.info(`single-connection hang-up freed the hub ${Date.now() - hungUpAt} ms after the client left`);
    // The stream is gone with its operations: its token names nothing any more.
    expect((await operate(token, apiKey(), "feed3", ACTIVITY)).status).toBe(404);
  });
});
