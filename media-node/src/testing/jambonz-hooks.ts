import { createHmac } from "node:crypto";
import type { Hono } from "hono";
import type { CallTag } from "../calls/registry.js";

export const WEBHOOK_SECRET = "wh_secret_test";
export const ACCOUNT_SID = "9351f46a-678c-43f5-b8a6-d4eb58d131af";

/** `Jambonz-Signature` as feature-server's base-requestor writes it. */
export function jambonzSignature(body: string, secret = WEBHOOK_SECRET, nowMs = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

/** Posts a signed hook to the app, as jambonz would. */
export function postHook(app: Hono, path: string, payload: Record<string, unknown>): Promise<Response> {
  const body = JSON.stringify(payload);
  return Promise.resolve(
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", "jambonz-signature": jambonzSignature(body) },
      body,
    }),
  );
}

/** The base fields of every jambonz hook (callbacks/base.schema.json), snake-cased, tag as customerData. */
export function hookBase(callSid: string, tag: CallTag | null, direction: "outbound" | "inbound" = "outbound") {
  return {
    call_sid: callSid,
    account_sid: ACCOUNT_SID,
    application_sid: "0c3e2b1a-1111-4222-8333-444455556666",
    direction,
    from: "+15005550006",
    to: "+15551230001",
    call_id: `${callSid}@sip.example`,
    sip_status: 200,
    sip_reason: "OK",
    call_status: "in-progress",
    ...(tag ? { customerData: tag } : {}),
  };
}
