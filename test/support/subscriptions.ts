import { type Client, createClient } from "graphql-sse";
import { expect, inject } from "vitest";
import { signInternalRequest } from "../../schema/src/internal-signature.js";
import { pollUntil } from "./calls.js";
import { rest } from "./http.js";

/** GraphQL subscriptions from Node with the graphql-sse client, in either of its modes, and the hub's figures. */

export type Received<T> = { value: T; at: number };
export type Feed<T> = { events: Array<Received<T>>; errors: unknown[]; completed: boolean; stop: () => void };
export type GraphqlErrors = Array<{ message: string; extensions?: { code?: string } }>;

export const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString("base64");

/**
 * graphql-sse's two transports: "distinct" is one SSE request per operation (Yoga's own); "single" multiplexes
 * every operation of a client over one stream (PUT reserve, GET stream, POST operations, DELETE completion).
 */
export type SseMode = "distinct" | "single";
export const SSE_MODES: readonly SseMode[] = ["distinct", "single"];

export function sseClient(headers: Record<string, string>, mode: SseMode = "distinct"): Client {
  return createClient({
    url: `${inject("edgeUrl")}/graphql`,
    headers,
    singleConnection: mode === "single",
    retryAttempts: 0,
  });
}

/** Subscribes and records every payload with its arrival time; GraphQL errors land in `errors`. */
export function listen<T>(
  client: Client,
  field: string,
  query: string,
  variables: Record<string, unknown> = {},
): Feed<T> {
  const feed: Feed<T> = { events: [], errors: [], completed: false, stop: () => {} };
  feed.stop = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) feed.errors.push(...result.errors);
        const value = result.data?.[field];
        if (value !== undefined && value !== null) feed.events.push({ value, at: Date.now() });
      },
      error: (error) => feed.errors.push(error),
      complete: () => {
        feed.completed = true;
      },
    },
  );
  return feed;
}

/** The errors a subscription ends with, once it has ended. */
export async function refusal(feed: Feed<unknown>): Promise<GraphqlErrors> {
  await pollUntil(
    async () => feed.completed || feed.errors.length > 0,
    (done) => done,
    10_000,
  );
  feed.stop();
  expect(feed.events).toEqual([]);
  return feed.errors as GraphqlErrors;
}

/** Each error's GraphQL code; a refused HTTP request (graphql-sse's NetworkError) as `HTTP <status>`. */
export const codes = (errors: GraphqlErrors) =>
  errors.map((error) => {
    const response = (error as { response?: Response }).response;
    return error.extensions?.code ?? (response ? `HTTP ${response.status}` : error.message);
  });

export async function hubStats(orgId: string): Promise<{ subscribers: number; topics: Record<string, number> }> {
  const path = `/internal/v1/event-hubs/${orgId}/stats`;
  const headers = await signInternalRequest({ secret: inject("internalApiSecret"), method: "GET", path, body: "" });
  const response = await rest("GET", path, { headers });
  if (response.status !== 200) throw new Error(`hub stats: ${response.status} ${response.text}`);
  return response.body as { subscribers: number; topics: Record<string, number> };
}

/** The four subscription root fields, selecting what the tests read. */
export const CALL_UPDATED = `subscription ($campaignId: ID, $callId: ID) {
  callUpdated(campaignId: $campaignId, callId: $callId) { callId campaignId status result amdResult durationMs attempts }
}`;
export const PROGRESS = `subscription ($campaignId: ID!) {
  campaignProgress(campaignId: $campaignId) { total completed inProgress pending lastUpdate }
}`;
export const ACTIVITY = "subscription { activity { kind campaignId callId occurredAt } }";
export const TRANSCRIPT = `subscription ($callId: ID!) {
  callTranscript(callId: $callId) { callId sequence speaker text spokenAt final }
}`;
