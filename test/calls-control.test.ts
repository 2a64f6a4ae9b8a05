import { describe, expect, it } from "vitest";
import {
  apiKey,
  attemptsOfCampaign,
  callsOfCampaign,
  campaignAction,
  createCampaign,
  createPersonaContacts,
  pollUntil,
  sleep,
  waitForCampaignStatus,
} from "./support/calls.js";
import { useDatabase } from "./support/database.js";
import { rest } from "./support/http.js";

/**
 * A campaign paused, resumed and stopped while its calls are being placed for real (dialer → media node →
 * emulator). The waits below give the dialer time to misbehave; nothing asserts how long anything took.
 */

const database = useDatabase();
const ACTIVE = ["calling", "ringing", "in_progress"];

async function attemptCount(campaign: number): Promise<number> {
  return (await attemptsOfCampaign(database(), campaign)).length;
}

async function statusCounts(campaign: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const call of await callsOfCampaign(database(), campaign)) counts[call.status] = (counts[call.status] ?? 0) + 1;
  return counts;
}

const activeCalls = (counts: Record<string, number>) => ACTIVE.reduce((sum, status) => sum + (counts[status] ?? 0), 0);

async function waitUntilNoCallIsActive(campaign: number): Promise<Record<string, number>> {
  return pollUntil(
    () => statusCounts(campaign),
    (counts) => activeCalls(counts) === 0,
    30_000,
  );
}

describe("pausing, resuming and stopping a running campaign", () => {
  it("places no call while paused, carries on when resumed, and cancels the rest when stopped", async () => {
    const contacts = await createPersonaContacts(
      database(),
      "20",
      Array.from({ length: 20 }, () => "interested" as const),
    );
    const campaign = await createCampaign({
      name: "E2E pause resume stop",
      contact_ids: contacts.map((contact) => contact.number),
      max_concurrent_calls: 2,
      retry_enabled: false,
    });
    expect((await campaignAction(campaign, "start")).status).toBe(200);

    // Pause as soon as the first calls are on the line.
    expect(
      await pollUntil(
        () => attemptCount(campaign),
        (count) => count >= 1,
        30_000,
      ),
    ).toBeGreaterThanOrEqual(1);
    const paused = await campaignAction(campaign, "pause");
    expect(paused.status, paused.text).toBe(200);
    expect(await waitForCampaignStatus(campaign, "paused", 5_000)).toBe("paused");

    // The calls already placed finish normally; then nothing new is dialled.
    const afterPause = await waitUntilNoCallIsActive(campaign);
    expect(activeCalls(afterPause)).toBe(0);
    const placedWhilePausing = await attemptCount(campaign);
    await sleep(3_000);
    expect(await attemptCount(campaign)).toBe(placedWhilePausing);
    const whilePaused = await statusCounts(campaign);
    expect(whilePaused.cancelled ?? 0).toBe(0);
    expect(whilePaused.completed ?? 0).toBe(placedWhilePausing);
    expect(placedWhilePausing).toBeLessThan(20);

    // Resumed, the dialer places new calls.
    const resumed = await campaignAction(campaign, "resume");
    expect(resumed.status, resumed.text).toBe(200);
    expect(
      await pollUntil(
        () => attemptCount(campaign),
        (count) => count > placedWhilePausing,
        30_000,
      ),
    ).toBeGreaterThan(placedWhilePausing);

    // Stopped, the campaign is cancelled and so is every call not yet placed.
    const stopped = await campaignAction(campaign, "stop");
    expect(stopped.status, stopped.text).toBe(200);
    expect(await waitForCampaignStatus(campaign, "cancelled", 10_000)).toBe("cancelled");
    await waitUntilNoCallIsActive(campaign);
    const placedBeforeStop = await attemptCount(campaign);
    await sleep(3_000);
    expect(await attemptCount(campaign)).toBe(placedBeforeStop);
    expect(placedBeforeStop).toBeLessThan(20);

    const calls = await callsOfCampaign(database(), campaign);
    const dialled = new Set((await attemptsOfCampaign(database(), campaign)).map((attempt) => attempt.call_id));
    for (const call of calls) {
      if (dialled.has(call.id)) expect(["completed", "cancelled"], call.phone).toContain(call.status);
      else expect(call.status, call.phone).toBe("cancelled");
    }
    expect(calls.filter((call) => call.status === "cancelled").length).toBeGreaterThanOrEqual(20 - placedBeforeStop);

    const stats = await rest("GET", `/api/stats/campaign/${campaign}`, { headers: apiKey() });
    expect(stats.body).toMatchObject({ campaign_status: "cancelled", total: 20 });
    expect((stats.body as { status: { pending: number } }).status.pending).toBe(0);
  }, 120_000);
});
