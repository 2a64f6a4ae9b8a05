import { JambonzClient } from "@jambonz/sdk/client";
import { type PlaceCallRequest, placeCallRequest } from "@switchboard/schema/internal/calls";
import {
  INTERNAL_SIGNATURE_HEADER,
  INTERNAL_TIMESTAMP_HEADER,
  verifyInternalRequest,
} from "@switchboard/schema/internal-signature";
import type { Hono } from "hono";
import type { DialBook } from "./calls/dials.js";
import type { CallRegistry, CallTag } from "./calls/registry.js";
import type { HookUrls } from "./calls/verbs.js";
import { nodeSignatureCrypto } from "./edge/node-signature.js";

export type JambonzAccount = { apiUrl: string; accountSid: string; apiKey: string; defaultFrom: string };

/** Places an outbound call on jambonz; answers its call sid. */
export type CallPlacer = (request: PlaceCallRequest) => Promise<string>;

export function jambonzCallPlacer(account: JambonzAccount, urls: HookUrls): CallPlacer {
  const client = new JambonzClient({ baseUrl: account.apiUrl, accountSid: account.accountSid, apiKey: account.apiKey });
  return (request) => {
    const tag: CallTag = {
      call_id: request.call_id,
      org_id: request.org_id,
      attempt: request.attempt,
      amd: request.amd,
    };
    return client.calls.create({
      from: request.from ?? account.defaultFrom,
      to: { type: "phone", number: request.to },
      call_hook: urls.call,
      call_status_hook: urls.status,
      tag,
      ...(request.amd ? { amd: { actionHook: urls.amd } } : {}),
    });
  };
}

/**
 * `POST /internal/v1/calls` (signed by the edge): place one dial. 202 once jambonz accepted it; 502 when
 * jambonz refused or is unreachable (the edge treats that as a refusal it may retry); 400 for a bad body.
 * Idempotent on (call_id, attempt): a repeated request (the edge's answer was lost or late) gets the same
 * sid from the dial book, and jambonz is not asked again.
 */
export function registerInternalApi(
  app: Hono,
  options: { secret: string | undefined; placeCall: CallPlacer; registry: CallRegistry; dials: DialBook },
): void {
  app.post("/internal/v1/calls", async (c) => {
    if (!options.secret) return c.json({ error: "INTERNAL_API_SECRET is not configured" }, 503);
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const url = new URL(c.req.url);
    const check = await verifyInternalRequest(
      {
        secret: options.secret,
        method: c.req.method,
        path: `${url.pathname}${url.search}`,
        body: raw,
        timestamp: c.req.header(INTERNAL_TIMESTAMP_HEADER),
        signature: c.req.header(INTERNAL_SIGNATURE_HEADER),
      },
      nodeSignatureCrypto,
    );
    if (!check.ok) return c.json({ error: check.message }, 401);
    const parsed = placeCallRequest.safeParse(safeJson(new TextDecoder().decode(raw)));
    if (!parsed.success) return c.json({ error: "Invalid place-call request", issues: parsed.error.issues }, 400);
    const request = parsed.data;
    let callSid: string;
    try {
      callSid = await options.dials.place(request, options.placeCall);
    } catch (error) {
      return c.json({ error: `jambonz did not place the call: ${String(error)}`.slice(0, 500) }, 502);
    }
    // A repeat for a dial that has already ended must not bring it back to the live calls.
    if (!options.dials.get(request)?.ended) {
      options.registry.remember(
        { call_id: request.call_id, org_id: request.org_id, attempt: request.attempt, amd: request.amd },
        callSid,
      );
    }
    return c.json({ call_id: request.call_id, jambonz_call_sid: callSid }, 202);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
