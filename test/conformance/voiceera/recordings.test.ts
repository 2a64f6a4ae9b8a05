import { SignJWT } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { useDatabase } from "../../support/database.js";
import { uploadRecording } from "../../support/recordings.js";
import { sineWav } from "../../support/wav.js";
import {
  createAgent,
  createCampaign,
  expectError,
  freshIp,
  settleCall,
  signUp,
  UUID,
  type VoiceEraUser,
  voiceEra,
} from "./client.js";

/** Recording endpoints: metadata with a signed, expiring link; the download by bearer or by that link. */

const db = useDatabase();
let user: VoiceEraUser;
let campaignId: string;
let agentId: string;
let callId: string;
let silentCallId: string;
const audio = sineWav(2);

beforeAll(async () => {
  user = await signUp("recordings");
  agentId = (await createAgent(user.caller)).id;
  campaignId = (await createCampaign(user.caller, agentId, ["+1234567890", "+1234567891"])).id;
  callId = await settleCall(db(), campaignId, "+1234567890", {
    durationMs: 2_000,
    turns: [
      ["agent", "Hello, this is the support line."],
      ["contact", "Hi, I need help."],
    ],
  });
  silentCallId = await settleCall(db(), campaignId, "+1234567891", { durationMs: 1_000 });
  const upload = await uploadRecording(callId, audio);
  expect(upload.status, upload.text).toBeLessThan(300);
});

async function download(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers: { "cf-connecting-ip": freshIp(), ...headers } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  const isJson = response.headers.get("content-type")?.includes("json") ?? false;
  return { status: response.status, headers: response.headers, bytes, body: isJson ? JSON.parse(text) : text, text };
}

function downloadUrlOf(body: unknown): string {
  return (body as { download_url: string }).download_url;
}

describe("GET /call-recordings/{call_id}", () => {
  it("describes the recording with a signed download URL, the transcript and the call's metadata", async () => {
    const response = await voiceEra("GET", `/call-recordings/${callId}`, user.caller);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({
      call_id: callId,
      duration_seconds: 2,
      format: "wav",
      size_bytes: audio.byteLength,
      download_url: expect.stringMatching(new RegExp(`/call-recordings/${callId}/download\\?token=`)),
      transcript: "Agent: Hello, this is the support line. User: Hi, I need help.",
      metadata: { agent_id: agentId, campaign_id: campaignId, phone_number: "+1234567890" },
    });
    const details = await voiceEra("GET", `/call-logs/${callId}`, user.caller);
    expect((details.body as { recording_url: string }).recording_url).toMatch(/\/download\?token=/);
  });

  it("is CALL_001 for a call without a recording and for an unknown call", async () => {
    expectError(await voiceEra("GET", `/call-recordings/${silentCallId}`, user.caller), 404, "CALL_001");
    expectError(await voiceEra("GET", `/call-recordings/${crypto.randomUUID()}`, user.caller), 404, "CALL_001");
    expectError(await voiceEra("GET", "/call-recordings/not-a-uuid/download", user.caller), 404, "CALL_001");
  });
});

describe("GET /call-recordings/{call_id}/download", () => {
  it("streams the WAV to a bearer, and to anyone holding the signed URL", async () => {
    const withBearer = await download(`${inject("edgeUrl")}/call-recordings/${callId}/download`, {
      authorization: `Bearer ${user.token}`,
    });
    expect(withBearer.status).toBe(200);
    expect(withBearer.headers.get("content-type")).toBe("audio/wav");
    expect(withBearer.bytes).toEqual(audio);

    const metadata = await voiceEra("GET", `/call-recordings/${callId}`, user.caller);
    const signed = await download(downloadUrlOf(metadata.body));
    expect(signed.status).toBe(200);
    expect(signed.bytes).toEqual(audio);
  });

  it("refuses an expired link (AUTH_002), an altered one or one for another call (AUTH_003), and no credential", async () => {
    const metadata = await voiceEra("GET", `/call-recordings/${callId}`, user.caller);
    const url = new URL(downloadUrlOf(metadata.body));
    const token = url.searchParams.get("token") ?? "";
    const orgId = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()).org as string;
    expect(orgId).toEqual(UUID);

    const linkWith = (value: string, call = callId) =>
      `${url.origin}/call-recordings/${call}/download?token=${encodeURIComponent(value)}`;

    const expired = await new SignJWT({ org: orgId, type: "recording" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(callId)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(inject("jwtSecret")));
    expectError(await download(linkWith(expired)), 401, "AUTH_002");

    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const extended = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 })).toString("base64url");
    expectError(await download(linkWith(`${header}.${extended}.${signature}`)), 401, "AUTH_003");
    expectError(await download(linkWith(`${token.slice(0, -2)}xx`)), 401, "AUTH_003");
    expectError(await download(linkWith(token, silentCallId)), 401, "AUTH_003");
    // An access token is no download token.
    expectError(await download(linkWith(user.token)), 401, "AUTH_003");
    expectError(await download(`${url.origin}/call-recordings/${callId}/download`), 401, "AUTH_003");
  });
});
