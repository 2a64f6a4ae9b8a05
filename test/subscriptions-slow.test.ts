import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signInternalRequest } from "../schema/src/internal-signature.js";
import { apiKey, pollUntil } from "./support/calls.js";
import { firstRow, useDatabase } from "./support/database.js";
import { rest } from "./support/http.js";
import { type Feed, globalId, hubStats, listen, sseClient, TRANSCRIPT } from "./support/subscriptions.js";

/**
 * A subscriber that stops reading must not hold back the others on the same hub: the hub queues at most 256
 * events for it (edge/src/live/fanout.ts), then drops it. End to end: two subscribers to one call's transcript,
 * one of which never reads its HTTP response; large turns are reported through the signed internal API until
 * every buffer on the way (sockets, workerd, the hub's queue) has filled and the hub has dropped the stalled one,
 * while the reading subscriber gets every turn, in order.
 */

const database = useDatabase();
const TURN_TEXT = "x".repeat(8_000);
const BATCH = 50;
/** Enough to fill far more than any socket buffer on the way (each turn is ~8 KB). */
const MAX_BATCHES = 80;

type Turn = { sequence: number };

describe("a slow subscriber", () => {
  let demoOrgId = "";
  let callId = "";
  let reader: Feed<Turn>;
  let stalled: { stop: () => void };
  let published = 0;

  beforeAll(async () => {
    demoOrgId = (await firstRow<{ id: string }>(database(), "select id from organisations where slug = 'demo'")).id;
    callId = await freshCall(demoOrgId);
  });

  afterAll(() => {
    reader?.stop();
    stalled?.stop();
  });

  it("is dropped by the hub while the reading subscriber receives every event in order", async () => {
    const client = sseClient(apiKey());
    reader = listen<Turn>(client, "callTranscript", TRANSCRIPT, { callId: globalId("Call", callId) });
    stalled = subscribeWithoutReading(TRANSCRIPT, { callId: globalId("Call", callId) });
    const topic = `transcript:${callId}`;
    await pollUntil(
      async () => (await hubStats(demoOrgId)).topics[topic] ?? 0,
      (count) => count === 2,
      15_000,
    );

    let batches = 0;
    while (batches < MAX_BATCHES && ((await hubStats(demoOrgId)).topics[topic] ?? 0) === 2) {
      await reportTurns(callId, published, BATCH);
      published += BATCH;
      batches++;
    }
    const remaining = (await hubStats(demoOrgId)).topics[topic] ?? 0;
    console.info(`hub dropped the stalled subscriber after ${published} events of ~8 KB (${batches} batches)`);
    expect(remaining, "the stalled subscriber is dropped, the reader stays").toBe(1);

    // The reader keeps up with everything, before and after the drop.
    await reportTurns(callId, published, BATCH);
    published += BATCH;
    await pollUntil(
      async () => reader.events.length,
      (count) => count >= published,
      60_000,
    );
    expect(reader.errors).toEqual([]);
    expect(reader.events.map((event) => event.value.sequence)).toEqual(
      Array.from({ length: published }, (_, index) => index),
    );
    client.dispose();
  }, 240_000);
});

/** A pending call of a fresh campaign of the organisation, to report turns on. */
async function freshCall(orgId: string): Promise<string> {
  const row = await firstRow<{ id: string }>(
    database(),
    `with agent as (select id from agents where org_id = $1 limit 1),
       account as (select id from accounts where org_id = $1 limit 1),
       campaign as (
         insert into campaigns (org_id, account_id, agent_id, name)
         select $1, account.id, agent.id, 'Slow subscriber' from agent, account returning id, account_id, agent_id)
     insert into calls (org_id, campaign_id, agent_id, account_id, to_number, status, max_attempts)
     select $1, id, agent_id, account_id, '+33612345678', 'pending', 1 from campaign returning id`,
    [orgId],
  );
  return row.id;
}

/** `count` turns from `first` on, in one signed batch, as the media node reports them. */
async function reportTurns(callId: string, first: number, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, index) => ({
    idempotency_key: `${callId}:1:turn:${first + index}`,
    occurred_at: new Date().toISOString(),
    attempt: 1,
    jambonz_call_sid: null,
    type: "turn",
    sequence: first + index,
    speaker: index % 2 === 0 ? "agent" : "contact",
    text: TURN_TEXT,
  }));
  const path = `/internal/v1/calls/${callId}/events/batch`;
  const body = JSON.stringify({ events });
  const signature = await signInternalRequest({ secret: inject("internalApiSecret"), method: "POST", path, body });
  const response = await rest("POST", path, {
    headers: { "content-type": "application/json", ...signature },
    rawBody: body,
  });
  if (response.status !== 200) throw new Error(`turn batch: ${response.status} ${response.text}`);
}

/**
 * A distinct-connection subscription whose response is never read: the socket is paused as soon as the headers
 * arrive, so what the edge sends piles up in the kernel's buffers, then in workerd's, then in the hub's queue.
 */
function subscribeWithoutReading(query: string, variables: Record<string, unknown>): { stop: () => void } {
  const url = new URL(`${inject("edgeUrl")}/graphql`);
  const outgoing = request(url, {
    method: "POST",
    headers: { ...apiKey(), "content-type": "application/json", accept: "text/event-stream" },
  });
  outgoing.on("response", (response) => response.pause());
  outgoing.on("error", () => {});
  outgoing.end(JSON.stringify({ query, variables }));
  return { stop: () => outgoing.destroy() };
}
