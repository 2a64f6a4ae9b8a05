import { randomBytes } from "node:crypto";
import { Client, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WebSocket } from "ws";
import { signInternalRequest } from "../schema/src/internal-signature.js";
import { startWsBridge, type WsBridge } from "../schema/src/local/ws-bridge.js";
import { startThrowawayEdge } from "./support/throwaway-edge.js";

/**
 * Overload: when the database has no session to give (the pooler's queue ran out of patience), every surface
 * answers 503 with Retry-After in its own envelope, never a 500 or a dropped connection, and answers again
 * once a session is free. The worker here reaches the database through a bridge that allows one session, and
 * the test holds that session itself.
 */

const SESSION_WAIT_MS = 300;
const secret = randomBytes(36).toString("base64url");
const stops: Array<() => Promise<void>> = [];
let bridge: WsBridge;
let edgeUrl = "";
let holder: Client | undefined;

beforeAll(async () => {
  bridge = await startWsBridge({ maxSessions: 1, sessionWaitMs: SESSION_WAIT_MS });
  stops.push(bridge.stop);
  edgeUrl = await startThrowawayEdge({
    databaseUrl: inject("databaseUrl"),
    apiPassword: inject("apiPassword"),
    internalApiSecret: secret,
    environment: "test",
    stops,
    wsProxyUrl: bridge.url,
  });
  neonConfig.webSocketConstructor = WebSocket;
  neonConfig.wsProxy = (host, port) => `${bridge.url}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}, 120_000);

afterAll(async () => {
  await holder?.end();
  for (const stop of stops.reverse()) await stop();
});

const apiKey = () => ({ "x-api-key": inject("apiPassword") });

async function holdTheOnlySession(): Promise<void> {
  holder = new Client({ connectionString: inject("databaseUrl") });
  await holder.connect();
}

async function releaseTheSession(): Promise<void> {
  await holder?.end();
  holder = undefined;
}

async function internalEvent(callId: string): Promise<Response> {
  const path = `/internal/v1/calls/${callId}/events`;
  const body = JSON.stringify({
    type: "status",
    status: "ringing",
    attempt: 1,
    idempotency_key: `${callId}:1:status:ringing`,
    occurred_at: new Date().toISOString(),
    jambonz_call_sid: null,
  });
  const signature = await signInternalRequest({ secret, method: "POST", path, body });
  return fetch(`${edgeUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...signature },
    body,
  });
}

describe("a database with no free session", () => {
  it("answers 503 with Retry-After on every surface, then serves again once a session is free", async () => {
    expect((await fetch(`${edgeUrl}/api/campaigns/`, { headers: apiKey() })).status).toBe(200);
    await holdTheOnlySession();

    const campaigns = await fetch(`${edgeUrl}/api/campaigns/`, { headers: apiKey() });
    expect(campaigns.status).toBe(503);
    expect(campaigns.headers.get("retry-after")).toBe("1");
    expect(await campaigns.json()).toMatchObject({ error: { message: "The database is busy; retry shortly" } });

    const query = await fetch(`${edgeUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...apiKey() },
      body: JSON.stringify({ query: "{ viewer { organization { name } } }" }),
    });
    expect(query.status).toBe(503);
    expect(query.headers.get("retry-after")).toBe("1");
    expect(await query.json()).toMatchObject({ errors: [{ extensions: { code: "SERVICE_UNAVAILABLE" } }] });

    const event = await internalEvent(crypto.randomUUID());
    expect(event.status).toBe(503);
    expect(event.headers.get("retry-after")).toBe("1");

    await releaseTheSession();
    const again = await fetch(`${edgeUrl}/api/campaigns/`, { headers: apiKey() });
    expect(again.status).toBe(200);
    expect(bridge.stats().refused).toBeGreaterThanOrEqual(3);
  });
});
