import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  type Caller,
  createAgent,
  createCampaign,
  expectError,
  freshIp,
  settleCall,
  signUp,
  type VoiceEraUser,
  voiceEra,
} from "./conformance/voiceera/client.js";
import { useDatabase } from "./support/database.js";
import { uploadRecording } from "./support/recordings.js";
import { sineWav } from "./support/wav.js";

/**
 * The VoiceERA surface keeps organisations apart: B (another VoiceERA user) and the legacy password (the demo
 * organisation) cannot see, change, launch or download anything of A's; it does not exist for them (404),
 * and A's data never appears in their lists or analytics.
 */

const db = useDatabase();
let a: VoiceEraUser;
let agentId: string;
let campaignId: string;
let callId: string;
let downloadUrl: string;

type Attacker = { name: string; caller: () => Caller };
let attackers: Attacker[];

beforeAll(async () => {
  a = await signUp("tenant-a");
  const b = await signUp("tenant-b");
  agentId = (await createAgent(a.caller, "Tenant A Agent")).id;
  campaignId = (await createCampaign(a.caller, agentId, ["+1234567890"])).id;
  callId = await settleCall(db(), campaignId, "+1234567890", {
    durationMs: 60_000,
    sentiment: "positive",
    turns: [["contact", "Secret billing issue of tenant A."]],
  });
  const upload = await uploadRecording(callId, sineWav(1));
  expect(upload.status, upload.text).toBeLessThan(300);
  const recording = await voiceEra("GET", `/call-recordings/${callId}`, a.caller);
  downloadUrl = (recording.body as { download_url: string }).download_url;
  attackers = [
    { name: "another VoiceERA user", caller: () => ({ token: b.token, ip: freshIp() }) },
    { name: "the legacy password", caller: () => ({ ip: freshIp(), headers: { "x-api-key": inject("apiPassword") } }) },
  ];
});

describe.each(["another VoiceERA user", "the legacy password"])("%s", (name) => {
  const attacker = () => attackers.find((candidate) => candidate.name === name) as Attacker;

  it("cannot read, change or delete A's agent, nor use it in a campaign", async () => {
    const caller = attacker().caller;
    expectError(await voiceEra("GET", `/agents/${agentId}`, caller()), 404, "AGENT_001");
    expectError(await voiceEra("PUT", `/agents/${agentId}`, caller(), { body: { name: "Mine" } }), 404, "AGENT_001");
    expectError(await voiceEra("DELETE", `/agents/${agentId}`, caller()), 404, "AGENT_001");
    const listed = await voiceEra("GET", "/agents?search=Tenant%20A&limit=100", caller());
    expect((listed.body as { total: number }).total).toBe(0);
    const campaign = await voiceEra("POST", "/campaigns", caller(), {
      body: { name: "Borrowed", agent_id: agentId, phone_numbers: ["+1234567890"] },
    });
    expectError(campaign, 404, "AGENT_001");
  });

  it("cannot see, launch or pause A's campaign", async () => {
    const caller = attacker().caller;
    expectError(await voiceEra("POST", `/campaigns/${campaignId}/launch`, caller()), 404, "CAMPAIGN_001");
    expectError(await voiceEra("POST", `/campaigns/${campaignId}/pause`, caller()), 404, "CAMPAIGN_001");
    const listed = await voiceEra("GET", `/campaigns?agent_id=${agentId}`, caller());
    expect(listed.body).toEqual({ total: 0, items: [] });
    const { rows } = await db().query("select status from campaigns where id = $1", [campaignId]);
    expect(rows).toEqual([{ status: "pending" }]);
  });

  it("cannot see A's call logs, recordings or analytics", async () => {
    const caller = attacker().caller;
    expectError(await voiceEra("GET", `/call-logs/${callId}`, caller()), 404, "CALL_001");
    const listed = await voiceEra("GET", `/call-logs?campaign_id=${campaignId}`, caller());
    expect(listed.body).toEqual({ total: 0, items: [] });
    const byNumber = await voiceEra("GET", "/call-logs?phone_number=%2B1234567890&limit=100", caller());
    const ids = (byNumber.body as { items: Array<{ id: string }> }).items.map((item) => item.id);
    expect(ids).not.toContain(callId);
    expectError(await voiceEra("GET", `/call-recordings/${callId}`, caller()), 404, "CALL_001");
    expectError(await voiceEra("GET", `/call-recordings/${callId}/download`, caller()), 404, "CALL_001");

    const stats = await voiceEra("GET", `/analytics/calls?campaign_id=${campaignId}`, caller());
    expect((stats.body as { total_calls: number }).total_calls).toBe(0);
    const sentiment = await voiceEra("GET", `/analytics/sentiment?agent_id=${agentId}`, caller());
    expect((sentiment.body as { positive: number }).positive).toBe(0);
    const phrases = await voiceEra("GET", `/analytics/top-phrases?agent_id=${agentId}`, caller());
    expect(phrases.body).toEqual([]);
  });
});

describe("A, for comparison", () => {
  it("sees all of it, and its signed link downloads without a token", async () => {
    expect((await voiceEra("GET", `/agents/${agentId}`, a.caller)).status).toBe(200);
    const calls = await voiceEra("GET", `/call-logs?campaign_id=${campaignId}`, a.caller);
    expect((calls.body as { total: number }).total).toBe(1);
    const phrases = await voiceEra("GET", `/analytics/top-phrases?agent_id=${agentId}`, a.caller);
    expect((phrases.body as Array<{ phrase: string }>).map((row) => row.phrase)).toContain("billing issue");
    const download = await fetch(downloadUrl, { headers: { "cf-connecting-ip": freshIp() } });
    expect(download.status).toBe(200);
    await download.arrayBuffer();
  });
});
